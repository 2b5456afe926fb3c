// The end of every command's --help: examples and the exit codes that command can give
// (one set for the whole tool, cli/exit-codes.ts), so a new user never has to guess.

import { EXIT } from './exit-codes.ts';

const MEANING: Readonly<Record<number, string>> = {
  [EXIT.ok]: 'ok',
  [EXIT.failed]: 'an expectation or kernel comparison failed',
  [EXIT.usage]: 'bad input or usage (one line on stderr)',
  [EXIT.violated]: 'a checked clause is violated',
  [EXIT.budget]: 'a time, state or memory budget ran out',
  [EXIT.unavailable]: 'cannot run on this machine (one line on stderr)',
};

/** "Examples: ... Exit codes: ..." with the command's own wording for each code it gives. */
export function helpAfter(examples: readonly string[], exits: readonly (readonly [number, string?])[]): string {
  const width = Math.max(...examples.map((e) => e.length));
  const lines = ['', 'Examples:', ...examples.map((e) => `  $ ${e.padEnd(width)}`.trimEnd()), '', 'Exit codes:'];
  for (const [code, words] of exits) lines.push(`  ${String(code).padStart(2)}  ${words ?? MEANING[code] ?? ''}`);
  return `${lines.join('\n')}\n`;
}
