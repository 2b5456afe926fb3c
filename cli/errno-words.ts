// File-system errors in words: what the user reads after "cannot write X: ", never a
// bare errno name such as "EROFS".

const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'it exists and is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  EFBIG: 'the file is too large',
  EIO: 'an input/output error',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EBUSY: 'the file or device is busy',
  EXDEV: 'it is on another file system',
  ETXTBSY: 'the file is busy',
  EINVAL: 'the name is not valid here',
};

/** Why a file-system call failed, in words ("the file system is read-only"). */
export function errnoWords(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code && WORDS[code]) return WORDS[code]!;
  if (code) return `the system refused it (${code})`;
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
