// A guest's initramfs: a gzip'ed "newc" cpio archive (the format the kernel unpacks
// into its rootfs, Documentation/early-userspace/buffer-format.txt), written here rather
// than with cpio(1), which the machine may lack. It holds /init (kernel/guest-init.c),
// /harness (kernel/harness.c), the directories they need and the console node the
// kernel opens for init's first descriptors.

import { gzipSync } from 'node:zlib';

export type Entry =
  | { readonly kind: 'dir'; readonly path: string; readonly mode: number }
  | { readonly kind: 'file'; readonly path: string; readonly mode: number; readonly data: Buffer }
  | { readonly kind: 'chr'; readonly path: string; readonly mode: number; readonly major: number; readonly minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function record(ino: number, mode: number, size: number, rdev: [number, number], name: string, data: Buffer): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'utf8');
  // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
  const header = '070701' + [ino, mode, 0, 0, mode & S_IFDIR ? 2 : 1, 0, size, 0, 0, rdev[0], rdev[1], nameBytes.length, 0].map(hex8).join('');
  const head = Buffer.concat([Buffer.from(header, 'ascii'), nameBytes]);
  return Buffer.concat([head, Buffer.alloc(pad4(head.length)), data, Buffer.alloc(pad4(data.length))]);
}

/** The uncompressed archive: entries in order (parents before children), then the trailer. */
export function cpioNewc(entries: readonly Entry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((e, i) => {
    const name = e.path.replace(/^\/+/, '');
    if (name === '' || name.split('/').includes('..')) throw new Error(`initramfs: bad path "${e.path}"`);
    switch (e.kind) {
      case 'dir': parts.push(record(i + 1, S_IFDIR | e.mode, 0, [0, 0], name, Buffer.alloc(0))); break;
      case 'file': parts.push(record(i + 1, S_IFREG | e.mode, e.data.length, [0, 0], name, e.data)); break;
      case 'chr': parts.push(record(i + 1, S_IFCHR | e.mode, 0, [e.major, e.minor], name, Buffer.alloc(0))); break;
    }
  });
  parts.push(record(0, 0, 0, [0, 0], 'TRAILER!!!', Buffer.alloc(0)));
  return Buffer.concat(parts);
}

/** The guest's initramfs, gzip'ed (every kernel image here has CONFIG_RD_GZIP). */
export function guestInitramfs(init: Buffer, harness: Buffer): Buffer {
  return gzipSync(cpioNewc([
    { kind: 'dir', path: 'dev', mode: 0o755 },
    { kind: 'chr', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
    { kind: 'dir', path: 'proc', mode: 0o555 },
    { kind: 'dir', path: 'tmp', mode: 0o1777 },
    { kind: 'file', path: 'init', mode: 0o755, data: init },
    { kind: 'file', path: 'harness', mode: 0o755, data: harness },
  ]), { level: 6 });
}

/**
 * Sequences for a guest to answer first: /batch.jsonl in a second gzip'ed archive, which
 * the kernel unpacks after the first when the two are concatenated (the initramfs
 * buffer format allows any number of archives, each may be compressed on its own).
 */
export function batchArchive(text: string): Buffer {
  return gzipSync(cpioNewc([{ kind: 'file', path: 'batch.jsonl', mode: 0o644, data: Buffer.from(text, 'utf8') }]), { level: 1 });
}
