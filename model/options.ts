// devpts mount-option parsing, one parser per kernel generation.
// The profile record picks the parser; nothing else looks at option strings.

import type { DevptsOptions } from './state.ts';

export const NR_UNIX98_PTY_MAX = 1 << 20; // include/linux/tty.h

/** Defaults: fs/devpts/inode.c new_pts_fs_info / parse_mount_options (all versions). */
export const DEFAULT_OPTIONS: DevptsOptions = {
  uid: null, gid: null, mode: 0o600, ptmxmode: 0o000, max: null, newinstance: false,
};

export interface ParseOutcome {
  /** The options as they stand after parsing (partially applied when `ok` is false and the parser is partial). */
  readonly opts: DevptsOptions;
  readonly ok: boolean;
  readonly log: readonly string[];
  /** 6.x: "ro"/"rw" in the data string set the superblock flag. */
  readonly sbReadonly?: boolean;
}

export type ParsePurpose = 'mount' | 'remount';

/** Which tokens the 2.6.39/3.4 token table holds (lib/parser.c match_token over `tokens`). */
export interface LegacyTokenTable { readonly ptmxmode: boolean; readonly newinstance: boolean; readonly max: boolean }

const BOGUS = 'devpts: called with bogus options'; // fs/devpts/inode.c parse_mount_options, 2.6.39

/** simple_strtoul/strtol as match_one uses them: returns the value and the unparsed rest. */
function strtoul(s: string, base: number, signed: boolean): { value: number; rest: string } | null {
  let i = 0;
  let negative = false;
  if (signed && (s[0] === '-' || s[0] === '+')) { negative = s[0] === '-'; i = 1; }
  let b = base;
  if (b === 0) {
    if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X') && /[0-9a-fA-F]/.test(s[i + 2] ?? '')) { b = 16; i += 2; }
    else if (s[i] === '0') b = 8;
    else b = 10;
  } else if (b === 16 && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) i += 2;
  const start = i;
  let value = 0;
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 36);
    if (Number.isNaN(d) || d >= b) break;
    value = value * b + d;
  }
  if (i === start) return null; // lib/parser.c: args.to == args.from: no match
  return { value: negative ? -value : value, rest: s.slice(i) };
}

/** match_one for "name=%u|%o|%d": the whole item must be consumed. */
function matchNumber(item: string, name: string, base: number, signed: boolean): number | null {
  if (!item.startsWith(name + '=')) return null;
  const parsed = strtoul(item.slice(name.length + 1), base, signed);
  return parsed && parsed.rest === '' ? parsed.value : null;
}

/**
 * 2.6.39 / 3.4 parse_mount_options: reset to defaults (newinstance only on a mount),
 * then apply items left to right, each at once; the first unknown item prints the
 * bogus message and stops: items before it stay applied (fs/devpts/inode.c 2.6.39).
 */
export function parseLegacyOptions(
  table: LegacyTokenTable, data: string | undefined, current: DevptsOptions, purpose: ParsePurpose,
): ParseOutcome {
  let opts: DevptsOptions = {
    ...DEFAULT_OPTIONS,
    newinstance: purpose === 'remount' ? current.newinstance : false,
  };
  for (const item of (data ?? '').split(',')) {
    if (item === '') continue; // empty items are skipped (strsep loop)
    const uid = matchNumber(item, 'uid', 0, false);
    if (uid !== null) { opts = { ...opts, uid }; continue; }
    const gid = matchNumber(item, 'gid', 0, false);
    if (gid !== null) { opts = { ...opts, gid }; continue; }
    const mode = matchNumber(item, 'mode', 8, false);
    if (mode !== null) { opts = { ...opts, mode: mode & 0o7777 }; continue; } // S_IALLUGO mask
    if (table.ptmxmode) {
      const ptmxmode = matchNumber(item, 'ptmxmode', 8, false);
      if (ptmxmode !== null) { opts = { ...opts, ptmxmode: ptmxmode & 0o7777 }; continue; }
    }
    if (table.newinstance && item === 'newinstance') {
      // "newinstance makes sense only on initial mount": accepted and ignored on remount
      if (purpose === 'mount') opts = { ...opts, newinstance: true };
      continue;
    }
    if (table.max) {
      const max = matchNumber(item, 'max', 0, true);
      if (max !== null) {
        // 3.4: range check fails with EINVAL and no message
        if (max < 0 || max > NR_UNIX98_PTY_MAX) return { opts, ok: false, log: [] };
        opts = { ...opts, max };
        continue;
      }
    }
    return { opts, ok: false, log: [BOGUS] };
  }
  return { opts, ok: true, log: [] };
}

/** kstrtouint-like: whole string, given base (0 = auto), unsigned 32-bit. */
function kstrtou32(s: string, base: number): number | null {
  const parsed = strtoul(s, base, false);
  if (!parsed || parsed.rest !== '' || parsed.value > 0xffffffff) return null;
  return parsed.value;
}
function kstrtos32(s: string): number | null {
  const parsed = strtoul(s, 0, true);
  if (!parsed || parsed.rest !== '' || parsed.value > 0x7fffffff || parsed.value < -0x80000000) return null;
  return parsed.value;
}

/** fs_parse refused the data: nothing applies (the message as /dev/kmsg shows it). */
function refused(line: string): ParseOutcome {
  return { opts: DEFAULT_OPTIONS, ok: false, log: [`devpts: ${line}`] };
}

/**
 * 6.x devpts_parse_param through fs_parse (new mount API): options start from
 * defaults; any bad item fails the whole call with EINVAL and changes nothing.
 * Messages as seen in /dev/kmsg (live 6.x S7).
 */
export function parseFsParamOptions(data: string | undefined): ParseOutcome {
  let opts: DevptsOptions = DEFAULT_OPTIONS;
  let sbReadonly: boolean | undefined;
  for (const item of (data ?? '').split(',')) {
    if (item === '') continue; // vfs_parse_monolithic_sep skips empty keys
    const eq = item.indexOf('=');
    if (eq === 0) continue;    // "=value": key empty, skipped
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? null : item.slice(eq + 1);
    if (key === 'ro' || key === 'rw') { sbReadonly = key === 'ro'; continue; } // vfs_parse_sb_flag
    switch (key) {
      case 'uid': case 'gid': {
        const n = value === null ? null : kstrtou32(value, 0);
        // fs_param_is_uid/gid: fs_param_is_u32 logs "Bad value", then fs_param_bad_value logs it again (fs/fs_parser.c 6.x; live 6.x S7 "logged twice")
        if (n === null) { const bad = refused(`Bad value for '${key}'`); return { ...bad, log: [...bad.log, ...bad.log] }; }
        if (n === 0xffffffff) return refused(`Invalid ${key} '${value}'`); // INVALID_UID / INVALID_GID
        opts = { ...opts, [key]: n };
        break;
      }
      case 'mode': case 'ptmxmode': {
        const n = value === null ? null : kstrtou32(value, 8);
        if (n === null) return refused(`Bad value for '${key}'`);
        opts = { ...opts, [key]: n & 0o7777 }; // S_IALLUGO
        break;
      }
      case 'max': {
        const n = value === null ? null : kstrtos32(value);
        if (n === null) return refused(`Bad value for 'max'`);
        if (n < 0 || n > NR_UNIX98_PTY_MAX) return refused('max out of range');
        opts = { ...opts, max: n };
        break;
      }
      case 'newinstance':
        if (value !== null) return refused(`Unexpected value for 'newinstance'`);
        break; // accepted and ignored (4.7 devpts_parse_param: case Opt_newinstance: break)
      case 'source':
        return refused('Multiple sources');
      default:
        return refused(`Unknown parameter '${key}'`);
    }
  }
  return sbReadonly === undefined ? { opts, ok: true, log: [] } : { opts, ok: true, log: [], sbReadonly };
}

/** What a tmpfs mount or remount takes from its data string (live 6.x observations). */
export interface TmpfsOptions {
  readonly ok: boolean;
  /** Root directory owner and mode: applied on a new mount only (a remount ignores them). */
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  /** "ro"/"rw" in the data string set the superblock flag (vfs_parse_sb_flag, key only). */
  readonly sbReadonly?: boolean;
}

const TMPFS_SB_FLAGS = new Set(['ro', 'rw', 'sync', 'async', 'dirsync', 'mand', 'nomand', 'lazytime', 'nolazytime']);

/**
 * tmpfs (mm/shmem.c shmem_parse_options / shmem_parse_one, 6.x): a bad item fails the
 * mount or remount with EINVAL and changes nothing. Items are split at commas, except a
 * comma followed by a digit (an mpol nodelist); empty items and empty keys are skipped.
 * Only the keys below are modelled; anything else is an unknown parameter.
 * live 6.x: uid=/gid= take any base (0x10 is 16, 010 is 8), -1/4294967295/"" → EINVAL;
 * mode= is octal (8, 0x10, "" → EINVAL), masked to 07777; size=abc, huge=bogus → EINVAL;
 * ro=1 is "ro"; source= fails a mount (a second source) but not a remount; noswap fails
 * a remount; mode/uid/gid are accepted on remount and leave the root directory alone;
 * every devpts-only option (newinstance, ptmxmode=, max=) and "nosuid" → EINVAL; "" is
 * accepted.
 */
export function parseTmpfsOptions(data: string | undefined, purpose: ParsePurpose): TmpfsOptions {
  let out: { ok: boolean; mode?: number; uid?: number; gid?: number; sbReadonly?: boolean } = { ok: true };
  const bad: TmpfsOptions = { ok: false };
  const items: string[] = [];
  for (const piece of (data ?? '').split(',')) {
    // "mpol=bind:0,2": a comma before a digit continues the item
    if (items.length > 0 && /^[0-9]/.test(piece)) items[items.length - 1] += `,${piece}`;
    else items.push(piece);
  }
  for (const item of items) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? null : item.slice(eq + 1);
    if (key === '') continue;
    if (TMPFS_SB_FLAGS.has(key)) {
      if (key === 'ro' || key === 'rw') out = { ...out, sbReadonly: key === 'ro' };
      continue;
    }
    switch (key) {
      case 'source': if (purpose === 'mount') return bad; break;
      case 'uid': case 'gid': {
        const n = value === null ? null : kstrtou32(value, 0);
        if (n === null || n === 0xffffffff) return bad;
        out = { ...out, [key]: n };
        break;
      }
      case 'mode': {
        const n = value === null ? null : kstrtou32(value, 8);
        if (n === null) return bad;
        out = { ...out, mode: n & 0o7777 };
        break;
      }
      case 'size': if (value === null || !/^[0-9]+[kKmMgGtTpPeE%]?$/.test(value)) return bad; break;
      case 'nr_blocks': case 'nr_inodes': if (value === null || !/^[0-9]+[kKmMgGtTpPeE]?$/.test(value)) return bad; break;
      case 'huge': if (value === null || !['never', 'always', 'within_size', 'advise'].includes(value)) return bad; break;
      case 'mpol': if (value === null || !/^(default|local|prefer|bind|interleave|weighted_interleave)([=:].*)?$/.test(value)) return bad; break;
      case 'inode32': case 'inode64': if (value !== null) return bad; break;
      case 'noswap': if (value !== null || purpose === 'remount') return bad; break;
      default: return bad;
    }
  }
  return out;
}

/** simple_strtoul(value, &rest, base) with *rest == 0: the whole string a number (base 0: 0x, 0 prefixes). */
function strtoulWhole(value: string, base: 0 | 8): number | null {
  const m = base === 8 ? /^[0-7]+$/.exec(value) : /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(value);
  if (!m) return null;
  return base === 8 ? parseInt(value, 8) : /^0[xX]/.test(value) ? parseInt(value.slice(2), 16) : /^0/.test(value) ? parseInt(value, 8) : parseInt(value, 10);
}

/**
 * 2.6.39 to 4.4 shmem_parse_options (mm/shmem.c): every item needs a value ("No value for
 * mount option"); size, nr_blocks, nr_inodes, mode, uid, gid, mpol; anything else is a bad
 * option (EINVAL: so are `ro` or `nosuid` in the data). On a remount, mode=, uid= and gid=
 * are skipped before their value is even read: `mode=8` is no error there (QEMU 2.6.39.4
 * =y, 3.4.113 =y: remount of a tmpfs with "mode=07777,,mode=8" is ok).
 */
export function parseLegacyTmpfsOptions(data: string | undefined, purpose: ParsePurpose): TmpfsOptions {
  let out: { ok: boolean; mode?: number; uid?: number; gid?: number } = { ok: true };
  const bad: TmpfsOptions = { ok: false };
  const items: string[] = [];
  for (const piece of (data ?? '').split(',')) {
    if (items.length > 0 && /^[0-9]/.test(piece)) items[items.length - 1] += `,${piece}`; // mpol node lists
    else items.push(piece);
  }
  for (const item of items) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) return bad;
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    switch (key) {
      case 'size': if (!/^[0-9]+[kKmMgGtTpPeE%]?$/.test(value)) return bad; break;
      case 'nr_blocks': case 'nr_inodes': if (!/^[0-9]+[kKmMgGtTpPeE]?$/.test(value)) return bad; break;
      case 'mode': case 'uid': case 'gid': {
        if (purpose === 'remount') break; // "if (remount) continue;"
        const n = strtoulWhole(value, key === 'mode' ? 8 : 0);
        if (n === null) return bad;
        out = { ...out, [key]: key === 'mode' ? n & 0o7777 : n };
        break;
      }
      case 'mpol': if (!/^(default|local|prefer|bind|interleave)([=:].*)?$/.test(value)) return bad; break;
      default: return bad;
    }
  }
  return out;
}

const oct3 = (mode: number): string => mode.toString(8).padStart(3, '0');

/**
 * The devpts part of an instance's line in /proc/mounts (devpts_show_options): uid/gid
 * only when set, mode always, ptmxmode where the kernel has the option, max where it has
 * the option and the value is below NR_UNIX98_PTY_MAX; newinstance is never shown.
 * mount(8) reads this line to build a remount. (fs/devpts/inode.c 2.6.39, 3.4, 6.x;
 * live 6.x S1c mountinfo, S7 "max=1048576 not shown")
 */
export function showOptions(shown: { readonly ptmxmode: boolean; readonly max: boolean }, o: DevptsOptions): string[] {
  const out: string[] = [];
  if (o.uid !== null) out.push(`uid=${o.uid}`);
  if (o.gid !== null) out.push(`gid=${o.gid}`);
  out.push(`mode=${oct3(o.mode)}`);
  if (shown.ptmxmode) out.push(`ptmxmode=${oct3(o.ptmxmode)}`);
  if (shown.max && o.max !== null && o.max < NR_UNIX98_PTY_MAX) out.push(`max=${o.max}`);
  return out;
}
