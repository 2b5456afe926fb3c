// Text from files (titles, notes, paths, JSON errors quoting the input) reaches the
// terminal: control bytes in it could move the cursor, recolour or retitle the
// terminal, or reorder what the user reads. Every such character is shown as an escape
// instead (\x1b, \x7f, \u202e), so nothing from a file acts on the terminal.

// C0 controls but tab, DEL, C1 controls, and the bidirectional overrides and isolates
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** The text with every control character as a visible escape (one line stays one line). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
