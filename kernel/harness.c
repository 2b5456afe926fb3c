/*
 * devpts-check live-kernel harness: runs op sequences (../shared/design/operations.md)
 * on the running kernel, each in a throw-away world, and prints one result per step.
 * libc only. Built and driven by kernel/build.ts and kernel/driver.ts.
 *
 * PROTOCOL (JSON lines on stdin, one output line per input line on stdout):
 *   {"boot":{"devptsOptions":"...","mountDevpts":true,"ptmxMode":"0666"}}
 *        starts a sequence; answered {"ok":true}, or {"error":"..."} when the world
 *        could not be built (the steps of that sequence then answer {"error":...}).
 *   {"op":"open","pid":1,"path":"/dev/ptmx"}        one step of the sequence
 *        answered with its result: {"ok":true,...} | {"errno":"EACCES"} | {"error":"..."}
 *        (+ "log":[...] with the devpts lines /dev/kmsg got during the step, when any).
 *   {"end":true}   runs the sequence; answered {"end":true} after the step lines.
 * Input is buffered until "end" (or EOF), then the whole sequence runs and its answers
 * are printed in input order. A line that is not a JSON object, an unknown op, a missing
 * or ill-typed field, a relative path, an unknown pid or handle: {"error":...} for that
 * line, never a crash. `sysctl` is always refused (host-wide setting).
 *
 * PROCESS STRUCTURE (per sequence):
 *   main (M, host namespace, reads stdin) --clone--> world (W) --clone--> pid 1 worker ...
 *   W: unshare(CLONE_NEWNS); mount --make-rprivate /; a tmpfs becomes the root with
 *   pivot_root(".", ".") and the old root is detached, so no host path is reachable
 *   (".." at / stays at /, absolute symlinks resolve inside the world); umask(0); lays
 *   out /dev (0755), /dev/ptmx (c 5:2, boot.ptmxMode), /dev/pts (+ devpts with the boot
 *   options unless mountDevpts is false), /tmp (01777). W then stays, like init_task,
 *   in that initial namespace of the trace (so it never dies, as in the model) and only
 *   dispatches steps.
 *   Each trace process is a real process (a "worker"), not an emulation with setns +
 *   setresuid: mount-namespace lifetime (a namespace dies with its last process, and
 *   with it its mounts: observable through open masters), fd ownership, `exit` and the
 *   fork-time copy of root/uid/namespace are then the kernel's own. `spawn` makes the
 *   parent worker clone itself (CLONE_PARENT, so W reaps every worker, plus
 *   CLONE_NEWNS for newns: EPERM comes from the kernel); the child closes every
 *   inherited fd (it "starts with no open handles"), says so to W, and talks to W over
 *   a SOCK_SEQPACKET socket W passed along (SCM_RIGHTS). `unshare` is
 *   unshare(CLONE_NEWNS) in the worker (every mount of the world is private, so copies
 *   are private); `setuid` is setgroups(0)/setresgid/setresuid in the worker; `exit` is
 *   _exit in the worker, W waits for it (namespaces and files are released before the
 *   zombie). W keeps the handle names (as / fd1, fd2...) and the st_dev -> devptsN labels.
 *   Cost: W and the workers are clone(CLONE_VM) tasks - their own fd table, fs root,
 *   creds, signal handlers and namespaces, exactly what fork would give them, but no
 *   page tables to copy (on a paravirtualized machine fork was 2/3 of the time). M
 *   sleeps while W runs (CLONE_VFORK); W and the workers take turns strictly (one
 *   request, one answer), and allocate from an arena, never with malloc.
 *   Teardown: at "end" W SIGKILLs and reaps every worker and exits, which drops the
 *   world namespace; M waits for W and, as child subreaper, for any worker a dying W
 *   left behind. Every process has PR_SET_PDEATHSIG(SIGKILL); W has alarm(--timeout,
 *   default 20 s): the steps it did not answer then answer an error.
 * SAFETY: nothing runs in the host's namespace but M's reading of stdin; only char
 * devices 5:2 and 136-143:* are ever opened; mount(2) only for devpts and tmpfs (a
 * filesystem type the kernel does not know is answered ENODEV without the syscall,
 * so the kernel never runs modprobe; a known other type is refused with an error).
 * LOG: for mount and remount steps (the only ones that make devpts print) W reads
 * /dev/kmsg (opened before pivot_root) and keeps the lines starting "devpts: ".
 * Concurrent harnesses serialize those steps with flock on /dev/kmsg, so that a line
 * is never attributed to another harness's step. (tmpfs lines are not reported.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/klog.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/utsname.h>
#include <termios.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef TIOCSPTLCK
#define TIOCSPTLCK _IOW('T', 0x31, int)
#endif
#ifndef TIOCGPTN
#define TIOCGPTN _IOR('T', 0x30, unsigned int)
#endif
#define DEVPTS_MAGIC 0x1cd1

#define MAX_PROCS 64
#define MAX_HANDLES 256
#define MAX_LABELS 256
#define STR_MAX 4096
#define TEXT_MAX 32768
#define NAME_MAX_LEN 64

/* ------------------------------------------------------------------ utilities */

/* Memory. M uses the C library's malloc. The world (W) and its workers run in M's
 * address space (CLONE_VM, see run_sequence) and never call malloc: a world killed by
 * its alarm inside malloc would leave M's heap locked. They take memory from a bump
 * arena that every world starts afresh (freeing in it is a no-op). */
#define ARENA_SIZE (64UL << 20)
static char *arena;
static size_t arena_used;
static int in_world;
static int guest;               /* --guest: pid 1 of a throw-away QEMU guest (see GUEST MODE) */
/* Where kernel.pty.nr only grows (2.6.39), what earlier sequences of this guest and the
 * index probes added to it: the count at the start of the sequence minus the count at
 * boot. A read of kernel.pty.nr answers the count minus it: the ptys allocated since boot
 * as if the sequence were the guest's first (nothing else allocates in the guest), so a
 * sequence that reads it needs no fresh guest. */
static long nr_offset = 0;

static void *xmalloc(size_t n) {
  if (in_world) {
    size_t a = (n + 15) & ~(size_t)15;
    if (!arena || arena_used + a > ARENA_SIZE) {
      static const char msg[] = "harness: the world ran out of memory\n";
      if (write(2, msg, sizeof msg - 1) < 0) {}
      _exit(70);
    }
    void *p = arena + arena_used;
    arena_used += a;
    return p;
  }
  void *p = malloc(n ? n : 1);
  if (!p) { fputs("harness: out of memory\n", stderr); _exit(70); }
  return p;
}
static void xfree(void *p) {
  if (!p || (arena && (char *)p >= arena && (char *)p < arena + ARENA_SIZE)) return;
  free(p);
}
static char *xstrdup(const char *s) { size_t n = strlen(s) + 1; char *p = xmalloc(n); memcpy(p, s, n); return p; }

/* growable string buffer */
typedef struct { char *p; size_t len, cap; } buf_t;
static void b_need(buf_t *b, size_t n) {
  if (b->len + n + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + n + 1) cap *= 2;
  char *q = xmalloc(cap);
  if (b->p) memcpy(q, b->p, b->len);
  q[b->len] = 0; /* always a C string, also when nothing is ever added */
  xfree(b->p);
  b->p = q; b->cap = cap;
}
static void b_add(buf_t *b, const char *s, size_t n) { b_need(b, n); memcpy(b->p + b->len, s, n); b->len += n; b->p[b->len] = 0; }
static void b_puts(buf_t *b, const char *s) { b_add(b, s, strlen(s)); }
static void b_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void b_printf(buf_t *b, const char *fmt, ...) {
  va_list ap; char tmp[512];
  va_start(ap, fmt); int n = vsnprintf(tmp, sizeof tmp, fmt, ap); va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof tmp) { b_add(b, tmp, (size_t)n); return; }
  b_need(b, (size_t)n);
  va_start(ap, fmt); vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap); va_end(ap);
  b->len += (size_t)n;
}
static void b_json_str(buf_t *b, const char *s) {
  b_puts(b, "\"");
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '"') b_puts(b, "\\\"");
    else if (*c == '\\') b_puts(b, "\\\\");
    else if (*c == '\n') b_puts(b, "\\n");
    else if (*c == '\t') b_puts(b, "\\t");
    else if (*c == '\r') b_puts(b, "\\r");
    else if (*c < 0x20 || *c == 0x7f) b_printf(b, "\\u%04x", *c);
    else b_add(b, (const char *)c, 1);
  }
  b_puts(b, "\"");
}

static const char *errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case ESRCH: return "ESRCH";
    case EINTR: return "EINTR"; case EIO: return "EIO"; case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG"; case EBADF: return "EBADF"; case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN"; case ENOMEM: return "ENOMEM"; case EACCES: return "EACCES";
    case EFAULT: return "EFAULT"; case ENOTBLK: return "ENOTBLK"; case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST"; case EXDEV: return "EXDEV"; case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR"; case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE"; case EMFILE: return "EMFILE"; case ENOTTY: return "ENOTTY";
    case ETXTBSY: return "ETXTBSY"; case EFBIG: return "EFBIG"; case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE"; case EROFS: return "EROFS"; case EMLINK: return "EMLINK";
    case EPIPE: return "EPIPE"; case ERANGE: return "ERANGE"; case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS"; case ENOTEMPTY: return "ENOTEMPTY"; case ELOOP: return "ELOOP";
    case EOVERFLOW: return "EOVERFLOW"; case EOPNOTSUPP: return "EOPNOTSUPP"; case ESTALE: return "ESTALE";
    case EUCLEAN: return "EUCLEAN"; case EDQUOT: return "EDQUOT"; case ENOTSOCK: return "ENOTSOCK";
    case EPROTO: return "EPROTO"; case ECANCELED: return "ECANCELED";
    case EOWNERDEAD: return "EOWNERDEAD"; case ENOKEY: return "ENOKEY"; case ENOMEDIUM: return "ENOMEDIUM";
    default: return "EUNKNOWN"; /* strerrorname_np is glibc-only; the guest build uses musl */
  }
}

/* ------------------------------------------------------------------ JSON */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;
typedef struct jval {
  jtype t;
  int b;
  double n;
  char *s;               /* J_STR (NUL-free; strings with \u0000 are rejected) */
  size_t len;            /* J_ARR / J_OBJ item count */
  struct jval *items;    /* J_ARR / J_OBJ values */
  char **keys;           /* J_OBJ keys */
} jval;

typedef struct { const char *p, *end; const char *err; int depth; } jparser;

static void j_free(jval *v) {
  if (v->t == J_STR) xfree(v->s);
  if (v->t == J_ARR || v->t == J_OBJ) {
    for (size_t i = 0; i < v->len; i++) { j_free(&v->items[i]); if (v->keys) xfree(v->keys[i]); }
    xfree(v->items); xfree(v->keys);
  }
  memset(v, 0, sizeof *v);
}
static void j_ws(jparser *j) { while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++; }
static int j_hex(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }
static void utf8(buf_t *b, unsigned cp) {
  char o[4]; size_t n;
  if (cp < 0x80) { o[0] = (char)cp; n = 1; }
  else if (cp < 0x800) { o[0] = (char)(0xc0 | (cp >> 6)); o[1] = (char)(0x80 | (cp & 0x3f)); n = 2; }
  else if (cp < 0x10000) { o[0] = (char)(0xe0 | (cp >> 12)); o[1] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[2] = (char)(0x80 | (cp & 0x3f)); n = 3; }
  else { o[0] = (char)(0xf0 | (cp >> 18)); o[1] = (char)(0x80 | ((cp >> 12) & 0x3f)); o[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); o[3] = (char)(0x80 | (cp & 0x3f)); n = 4; }
  b_add(b, o, n);
}
static int j_u4(jparser *j, unsigned *out) {
  if (j->end - j->p < 4) return -1;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) { int h = j_hex(j->p[i]); if (h < 0) return -1; v = v * 16 + (unsigned)h; }
  j->p += 4; *out = v; return 0;
}
static int j_string(jparser *j, char **out) {
  buf_t b = {0};
  b_need(&b, 0);
  j->p++; /* opening quote */
  for (;;) {
    if (j->p >= j->end) { j->err = "unterminated string"; goto bad; }
    unsigned char c = (unsigned char)*j->p++;
    if (c == '"') break;
    if (c < 0x20) { j->err = "control character in string"; goto bad; }
    if (c != '\\') { b_add(&b, (const char *)&c, 1); continue; }
    if (j->p >= j->end) { j->err = "bad escape"; goto bad; }
    char e = *j->p++;
    switch (e) {
      case '"': b_puts(&b, "\""); break; case '\\': b_puts(&b, "\\"); break; case '/': b_puts(&b, "/"); break;
      case 'b': b_puts(&b, "\b"); break; case 'f': b_puts(&b, "\f"); break; case 'n': b_puts(&b, "\n"); break;
      case 'r': b_puts(&b, "\r"); break; case 't': b_puts(&b, "\t"); break;
      case 'u': {
        unsigned cp;
        if (j_u4(j, &cp)) { j->err = "bad \\u escape"; goto bad; }
        if (cp >= 0xd800 && cp < 0xdc00) {
          unsigned lo;
          if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u') { j->err = "lone surrogate"; goto bad; }
          j->p += 2;
          if (j_u4(j, &lo) || lo < 0xdc00 || lo >= 0xe000) { j->err = "lone surrogate"; goto bad; }
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        } else if (cp >= 0xdc00 && cp < 0xe000) { j->err = "lone surrogate"; goto bad; }
        if (cp == 0) { j->err = "NUL character in string"; goto bad; }
        utf8(&b, cp);
        break;
      }
      default: j->err = "bad escape"; goto bad;
    }
  }
  *out = b.p;
  return 0;
bad:
  xfree(b.p);
  return -1;
}
static int j_value(jparser *j, jval *v);
static int j_container(jparser *j, jval *v, int obj) {
  size_t cap = 4;
  v->t = obj ? J_OBJ : J_ARR;
  v->items = xmalloc(cap * sizeof *v->items);
  v->keys = obj ? xmalloc(cap * sizeof *v->keys) : NULL;
  v->len = 0;
  j->p++;
  if (++j->depth > 32) { j->err = "nested too deeply"; return -1; }
  j_ws(j);
  if (j->p < j->end && *j->p == (obj ? '}' : ']')) { j->p++; j->depth--; return 0; }
  for (;;) {
    if (v->len == cap) {
      cap *= 2;
      jval *ni = xmalloc(cap * sizeof *ni); memcpy(ni, v->items, v->len * sizeof *ni); xfree(v->items); v->items = ni;
      if (obj) { char **nk = xmalloc(cap * sizeof *nk); memcpy(nk, v->keys, v->len * sizeof *nk); xfree(v->keys); v->keys = nk; }
    }
    char *key = NULL;
    j_ws(j);
    if (obj) {
      if (j->p >= j->end || *j->p != '"') { j->err = "expected a key"; return -1; }
      if (j_string(j, &key)) return -1;
      j_ws(j);
      if (j->p >= j->end || *j->p != ':') { xfree(key); j->err = "expected ':'"; return -1; }
      j->p++;
    }
    memset(&v->items[v->len], 0, sizeof(jval));
    if (obj) v->keys[v->len] = key;
    v->len++;
    if (j_value(j, &v->items[v->len - 1])) return -1;
    j_ws(j);
    if (j->p >= j->end) { j->err = "unterminated container"; return -1; }
    if (*j->p == ',') { j->p++; continue; }
    if (*j->p == (obj ? '}' : ']')) { j->p++; j->depth--; return 0; }
    j->err = "expected ',' or a closing bracket";
    return -1;
  }
}
static int j_value(jparser *j, jval *v) {
  j_ws(j);
  if (j->p >= j->end) { j->err = "unexpected end of input"; return -1; }
  char c = *j->p;
  if (c == '{' || c == '[') return j_container(j, v, c == '{');
  if (c == '"') { v->t = J_STR; return j_string(j, &v->s); }
  if (!strncmp(j->p, "true", 4) && j->end - j->p >= 4) { v->t = J_BOOL; v->b = 1; j->p += 4; return 0; }
  if (!strncmp(j->p, "false", 5) && j->end - j->p >= 5) { v->t = J_BOOL; v->b = 0; j->p += 5; return 0; }
  if (!strncmp(j->p, "null", 4) && j->end - j->p >= 4) { v->t = J_NULL; j->p += 4; return 0; }
  if (c == '-' || (c >= '0' && c <= '9')) {
    const char *s = j->p;
    if (*s == '-') s++;
    if (s >= j->end || !(*s >= '0' && *s <= '9')) { j->err = "bad number"; return -1; }
    if (*s == '0') s++; else while (s < j->end && *s >= '0' && *s <= '9') s++;
    if (s < j->end && *s == '.') { s++; if (s >= j->end || !(*s >= '0' && *s <= '9')) { j->err = "bad number"; return -1; } while (s < j->end && *s >= '0' && *s <= '9') s++; }
    if (s < j->end && (*s == 'e' || *s == 'E')) {
      s++; if (s < j->end && (*s == '+' || *s == '-')) s++;
      if (s >= j->end || !(*s >= '0' && *s <= '9')) { j->err = "bad number"; return -1; }
      while (s < j->end && *s >= '0' && *s <= '9') s++;
    }
    char tmp[64]; size_t n = (size_t)(s - j->p);
    if (n >= sizeof tmp) { j->err = "number too long"; return -1; }
    memcpy(tmp, j->p, n); tmp[n] = 0;
    v->t = J_NUM; v->n = strtod(tmp, NULL); j->p = s;
    return 0;
  }
  j->err = "unexpected character";
  return -1;
}
static int j_parse(const char *text, size_t len, jval *out, const char **err) {
  jparser j = { text, text + len, NULL, 0 };
  memset(out, 0, sizeof *out);
  if (j_value(&j, out)) { *err = j.err ? j.err : "bad JSON"; j_free(out); return -1; }
  j_ws(&j);
  if (j.p != j.end) { *err = "trailing characters"; j_free(out); return -1; }
  return 0;
}
static jval *j_get(jval *o, const char *key) {
  if (o->t != J_OBJ) return NULL;
  for (size_t i = 0; i < o->len; i++) if (!strcmp(o->keys[i], key)) return &o->items[i];
  return NULL;
}

/* ------------------------------------------------------------------ steps */

enum {
  OP_SPAWN = 1, OP_UNSHARE, OP_SETUID, OP_EXIT, OP_MOUNT, OP_REMOUNT, OP_BIND, OP_UMOUNT, OP_MKDIR,
  OP_MKNOD, OP_TOUCH, OP_SYMLINK, OP_UNLINK, OP_CHMOD, OP_CHOWN, OP_STAT, OP_READDIR, OP_OPEN,
  OP_UNLOCKPT, OP_PEER, OP_CLOSE, OP_SYSCTL,
  OP_CHROOT, OP_PIVOTROOT, OP_CHDIR, OP_MOVE, OP_PROPAGATE, OP_RENAME, OP_LINK, OP_MOUNTS, OP_DUP, OP_FSTAT,
};
static const char *const OP_NAMES[] = {
  NULL, "spawn", "unshare", "setuid", "exit", "mount", "remount", "bind", "umount", "mkdir",
  "mknod", "touch", "symlink", "unlink", "chmod", "chown", "stat", "readdir", "open",
  "unlockpt", "peer", "close", "sysctl",
  "chroot", "pivotRoot", "chdir", "move", "propagate", "rename", "link", "mounts", "dup", "fstat",
};

/* spawn/unshare `propagation`: what util-linux does to the new namespace (mount --make-rP /) */
enum { NSP_PRIVATE = 0, NSP_KEEP, NSP_UNCHANGED, NSP_SHARED, NSP_SLAVE };
static const char *const NSP_NAMES[] = { "private", "keep", "unchanged", "shared", "slave", NULL };
/* propagate `type` */
static const char *const PTYPE_NAMES[] = { "shared", "private", "slave", "unbindable", NULL };
static const unsigned long PTYPE_FLAGS[] = { MS_SHARED, MS_PRIVATE, MS_SLAVE, MS_UNBINDABLE };
static unsigned long nsp_flag(int nsp) { return nsp == NSP_PRIVATE ? MS_PRIVATE : nsp == NSP_SHARED ? MS_SHARED : nsp == NSP_SLAVE ? MS_SLAVE : 0; }
#define NOPS ((int)(sizeof OP_NAMES / sizeof *OP_NAMES))

typedef struct {
  int op;                 /* 0: invalid (error holds the message) */
  char *error;
  long pid;
  long child; int newns;
  unsigned uid, gid; int has_gid;
  char *fstype, *target, *options, *path, *source, *as, *fd;
  unsigned long mflags;
  int recursive, lazy, nofollow;
  int inherit, nsp, unshare_mount, user, bind, ptype; /* spawn/unshare/remount/propagate */
  int mode, has_mode;
  unsigned major, minor;
  char *name; long value; int has_value; /* sysctl */
} step_t;

typedef struct { int has_options; char *options; int mount_devpts; int ptmx_mode; int dev_devtmpfs; int root_shared; char *error; } boot_t;

static char *fmt_err(const char *fmt, const char *a, const char *b) {
  char tmp[512];
  snprintf(tmp, sizeof tmp, fmt, a, b ? b : "");
  return xstrdup(tmp);
}

/* field readers: 0 ok, 1 absent, -1 bad (message in *err) */
static int f_uint(jval *o, const char *k, unsigned long max, unsigned long *out, char **err) {
  jval *v = j_get(o, k);
  if (!v) return 1;
  if (v->t != J_NUM || v->n < 0 || v->n != (double)(unsigned long)v->n || v->n > (double)max) {
    *err = fmt_err("\"%s\" must be a non-negative integer%s", k, max < 0xffffffffUL ? " in range" : "");
    return -1;
  }
  *out = (unsigned long)v->n;
  return 0;
}
/* A chown id: 0 .. 4294967295, or -1 (what chown(1) and the C call write for "leave it"). */
static int f_chown_id(jval *o, const char *k, unsigned long *out, char **err) {
  jval *v = j_get(o, k);
  if (v && v->t == J_NUM && v->n == -1) { *out = 0xffffffffUL; return 0; }
  return f_uint(o, k, 0xffffffffUL, out, err);
}
static int f_int(jval *o, const char *k, long *out, char **err) {
  jval *v = j_get(o, k);
  if (!v) return 1;
  if (v->t != J_NUM || v->n != (double)(long)v->n || v->n < -2147483648.0 || v->n > 2147483647.0) {
    *err = fmt_err("\"%s\" must be an integer", k, NULL);
    return -1;
  }
  *out = (long)v->n;
  return 0;
}
static int f_bool(jval *o, const char *k, int *out, char **err) {
  jval *v = j_get(o, k);
  if (!v) return 1;
  if (v->t != J_BOOL) { *err = fmt_err("\"%s\" must be true or false", k, NULL); return -1; }
  *out = v->b;
  return 0;
}
static int f_str(jval *o, const char *k, char **out, char **err) {
  jval *v = j_get(o, k);
  if (!v) return 1;
  if (v->t != J_STR) { *err = fmt_err("\"%s\" must be a string", k, NULL); return -1; }
  if (strlen(v->s) >= STR_MAX) { *err = fmt_err("\"%s\" is too long", k, NULL); return -1; }
  *out = xstrdup(v->s);
  return 0;
}
/* A path: any string (absolute from the process's root, relative - also empty - from
 * its working directory; the kernel answers for the odd ones). */
static int f_path(jval *o, const char *k, char **out, char **err) {
  int r = f_str(o, k, out, err);
  if (r == -1 && j_get(o, k)->t != J_STR) { xfree(*err); *err = fmt_err("\"%s\" must be a path (a string)", k, NULL); }
  return r;
}
/* A handle name: any string (operations.md), "__proto__" and "" included. */
static int f_name(jval *o, const char *k, char **out, char **err) {
  int r = f_str(o, k, out, err);
  if (r == -1 && j_get(o, k)->t != J_STR) { xfree(*err); *err = fmt_err("\"%s\" must be a handle name (a string)", k, NULL); }
  return r;
}
/* One of `names` (NULL-terminated): its index, or -1 with a message. */
static int f_enum(jval *o, const char *k, const char *const *names, int *out, char **err) {
  jval *v = j_get(o, k);
  if (!v) return 1;
  if (v->t == J_STR) for (int i = 0; names[i]; i++) if (!strcmp(names[i], v->s)) { *out = i; return 0; }
  buf_t b = {0};
  for (int i = 0; names[i]; i++) b_printf(&b, "%s\"%s\"", i ? ", " : "", names[i]);
  *err = fmt_err("\"%s\" must be one of %s", k, b.p);
  xfree(b.p);
  return -1;
}
static int parse_mode(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > 7) return -1;
  long v = 0;
  for (const char *c = s; *c; c++) { if (*c < '0' || *c > '7') return -1; v = v * 8 + (*c - '0'); }
  return (int)(v & 07777);
}
static int f_mode(jval *o, const char *k, int *out, char **err) {
  jval *v = j_get(o, k);
  if (!v) return 1;
  int m = v->t == J_STR ? parse_mode(v->s) : -1;
  if (m < 0) { *err = fmt_err("\"%s\" must be an octal mode string such as \"0620\"", k, NULL); return -1; }
  *out = m;
  return 0;
}
static int f_flags(jval *o, const char *k, unsigned long *out, char **err) {
  jval *v = j_get(o, k);
  if (!v) return 1;
  unsigned long f = 0;
  int bad = v->t != J_ARR;
  for (size_t i = 0; !bad && i < v->len; i++) {
    jval *e = &v->items[i];
    if (e->t != J_STR) bad = 1;
    else if (!strcmp(e->s, "ro")) f |= MS_RDONLY;
    else if (!strcmp(e->s, "nosuid")) f |= MS_NOSUID;
    else if (!strcmp(e->s, "nodev")) f |= MS_NODEV;
    else if (!strcmp(e->s, "noexec")) f |= MS_NOEXEC;
    else bad = 1;
  }
  if (bad) { *err = fmt_err("\"%s\" must be a list of ro, nosuid, nodev, noexec", k, NULL); return -1; }
  *out = f;
  return 0;
}

#define REQ(call, k) do { int r_ = (call); if (r_ == 1) { s->error = fmt_err("missing \"%s\" for op \"%s\"", k, OP_NAMES[s->op]); goto invalid; } if (r_ < 0) goto invalid; } while (0)
#define OPT(call) do { if ((call) < 0) goto invalid; } while (0)

/* A step object → step_t. Mirrors model/validate.ts (extra keys are ignored here). */
static void parse_step(jval *o, step_t *s) {
  memset(s, 0, sizeof *s);
  s->pid = 1;
  jval *opv = j_get(o, "op");
  if (!opv || opv->t != J_STR) { s->error = xstrdup("missing \"op\""); return; }
  for (int i = 1; i < NOPS; i++) if (!strcmp(OP_NAMES[i], opv->s)) s->op = i;
  if (!s->op) { s->error = fmt_err("unknown op \"%s\"", opv->s, NULL); return; }
  unsigned long u;
  int r = f_uint(o, "pid", 0x7fffffffUL, &u, &s->error);
  if (r < 0 || (r == 0 && u == 0)) { xfree(s->error); s->error = xstrdup("pid must be a positive integer"); goto invalid; }
  if (r == 0) s->pid = (long)u;
  switch (s->op) {
    case OP_SPAWN:
      REQ(f_uint(o, "child", 0x7fffffffUL, &u, &s->error), "child"); s->child = (long)u;
      OPT(f_bool(o, "newns", &s->newns, &s->error));
      OPT(f_bool(o, "inherit", &s->inherit, &s->error));
      OPT(f_enum(o, "propagation", NSP_NAMES, &s->nsp, &s->error));
      break;
    case OP_UNSHARE:
      s->unshare_mount = 1;
      OPT(f_bool(o, "mount", &s->unshare_mount, &s->error));
      OPT(f_bool(o, "user", &s->user, &s->error));
      OPT(f_enum(o, "propagation", NSP_NAMES, &s->nsp, &s->error));
      break;
    case OP_EXIT: case OP_MOUNTS: break;
    case OP_CHROOT: case OP_CHDIR: REQ(f_path(o, "path", &s->path, &s->error), "path"); break;
    case OP_PIVOTROOT:
      REQ(f_path(o, "newRoot", &s->source, &s->error), "newRoot");
      REQ(f_path(o, "putOld", &s->target, &s->error), "putOld");
      break;
    case OP_MOVE:
      REQ(f_path(o, "source", &s->source, &s->error), "source");
      REQ(f_path(o, "target", &s->target, &s->error), "target");
      break;
    case OP_PROPAGATE:
      REQ(f_path(o, "target", &s->target, &s->error), "target");
      REQ(f_enum(o, "type", PTYPE_NAMES, &s->ptype, &s->error), "type");
      OPT(f_bool(o, "recursive", &s->recursive, &s->error));
      break;
    case OP_RENAME:
      REQ(f_path(o, "from", &s->source, &s->error), "from");
      REQ(f_path(o, "to", &s->target, &s->error), "to");
      break;
    case OP_LINK:
      REQ(f_path(o, "target", &s->source, &s->error), "target");
      REQ(f_path(o, "path", &s->path, &s->error), "path");
      break;
    case OP_DUP: REQ(f_name(o, "fd", &s->fd, &s->error), "fd"); OPT(f_name(o, "as", &s->as, &s->error)); break;
    case OP_FSTAT: REQ(f_name(o, "fd", &s->fd, &s->error), "fd"); break;
    case OP_SETUID:
      REQ(f_uint(o, "uid", 0xffffffffUL, &u, &s->error), "uid"); s->uid = (unsigned)u;
      r = f_uint(o, "gid", 0xffffffffUL, &u, &s->error); OPT(r);
      s->gid = r == 0 ? (unsigned)u : s->uid; s->has_gid = r == 0;
      break;
    case OP_MOUNT:
      REQ(f_str(o, "fstype", &s->fstype, &s->error), "fstype");
      REQ(f_path(o, "target", &s->target, &s->error), "target");
      OPT(f_str(o, "options", &s->options, &s->error));
      OPT(f_flags(o, "flags", &s->mflags, &s->error));
      break;
    case OP_REMOUNT:
      REQ(f_path(o, "target", &s->target, &s->error), "target");
      OPT(f_str(o, "options", &s->options, &s->error));
      OPT(f_flags(o, "flags", &s->mflags, &s->error));
      OPT(f_bool(o, "bind", &s->bind, &s->error));
      break;
    case OP_BIND:
      REQ(f_path(o, "source", &s->source, &s->error), "source");
      REQ(f_path(o, "target", &s->target, &s->error), "target");
      OPT(f_bool(o, "recursive", &s->recursive, &s->error));
      break;
    case OP_UMOUNT: REQ(f_path(o, "target", &s->target, &s->error), "target"); OPT(f_bool(o, "lazy", &s->lazy, &s->error)); break;
    case OP_MKDIR:
      REQ(f_path(o, "path", &s->path, &s->error), "path");
      r = f_mode(o, "mode", &s->mode, &s->error); OPT(r); s->has_mode = r == 0;
      break;
    case OP_MKNOD:
      REQ(f_path(o, "path", &s->path, &s->error), "path");
      REQ(f_uint(o, "major", 4095, &u, &s->error), "major"); s->major = (unsigned)u;
      REQ(f_uint(o, "minor", 0xfffff, &u, &s->error), "minor"); s->minor = (unsigned)u;
      r = f_mode(o, "mode", &s->mode, &s->error); OPT(r); s->has_mode = r == 0;
      break;
    case OP_TOUCH: case OP_UNLINK: case OP_READDIR: REQ(f_path(o, "path", &s->path, &s->error), "path"); break;
    case OP_SYMLINK: REQ(f_str(o, "target", &s->target, &s->error), "target"); REQ(f_path(o, "path", &s->path, &s->error), "path"); break;
    case OP_CHMOD: REQ(f_path(o, "path", &s->path, &s->error), "path"); REQ(f_mode(o, "mode", &s->mode, &s->error), "mode"); break;
    case OP_CHOWN:
      REQ(f_path(o, "path", &s->path, &s->error), "path");
      REQ(f_chown_id(o, "uid", &u, &s->error), "uid"); s->uid = (unsigned)u;
      REQ(f_chown_id(o, "gid", &u, &s->error), "gid"); s->gid = (unsigned)u;
      break;
    case OP_STAT: REQ(f_path(o, "path", &s->path, &s->error), "path"); OPT(f_bool(o, "nofollow", &s->nofollow, &s->error)); break;
    case OP_OPEN: REQ(f_path(o, "path", &s->path, &s->error), "path"); OPT(f_name(o, "as", &s->as, &s->error)); break;
    case OP_UNLOCKPT: case OP_CLOSE: REQ(f_name(o, "fd", &s->fd, &s->error), "fd"); break;
    case OP_PEER: REQ(f_name(o, "fd", &s->fd, &s->error), "fd"); OPT(f_name(o, "as", &s->as, &s->error)); break;
    case OP_SYSCTL:
      /* a guest is a throw-away machine: kernel.pty.* may be read and set there; on the
       * live host only kernel.pty.max and kernel.pty.reserve are read (never written;
       * kernel.pty.nr counts every pty of the machine, not the world's) */
      REQ(f_str(o, "name", &s->name, &s->error), "name");
      if (strncmp(s->name, "kernel.pty.", 11) || !s->name[11] || strspn(s->name + 11, "abcdefghijklmnopqrstuvwxyz") != strlen(s->name + 11)) {
        s->error = xstrdup("\"name\" must name a kernel.pty.* setting");
        goto invalid;
      }
      r = f_int(o, "value", &s->value, &s->error); OPT(r); s->has_value = r == 0;
      if (!guest && s->has_value) {
        s->error = xstrdup("sysctl writes are not run on the live kernel: the harness never changes host-wide settings (kernel.pty.*)");
        goto invalid;
      }
      if (!guest && !strcmp(s->name, "kernel.pty.nr")) {
        s->error = xstrdup("kernel.pty.nr is not read on the live kernel: it counts every pty of the machine, not the world's");
        goto invalid;
      }
      break;
  }
  return;
invalid:
  s->op = 0;
  if (!s->error) s->error = xstrdup("invalid step");
}

static void free_step(step_t *s) {
  xfree(s->error); xfree(s->name); xfree(s->fstype); xfree(s->target); xfree(s->options); xfree(s->path); xfree(s->source); xfree(s->as); xfree(s->fd);
  memset(s, 0, sizeof *s);
}

static void parse_boot(jval *o, boot_t *b) {
  memset(b, 0, sizeof *b);
  b->mount_devpts = 1;
  b->ptmx_mode = 0666;
  if (o->t != J_OBJ) { b->error = xstrdup("\"boot\" must be an object"); return; }
  jval *v;
  if ((v = j_get(o, "devptsOptions"))) {
    if (v->t != J_STR || strlen(v->s) >= STR_MAX) { b->error = xstrdup("boot.devptsOptions must be a string"); return; }
    b->has_options = 1; b->options = xstrdup(v->s);
  }
  if ((v = j_get(o, "mountDevpts"))) {
    if (v->t != J_BOOL) { b->error = xstrdup("boot.mountDevpts must be true or false"); return; }
    b->mount_devpts = v->b;
  }
  if ((v = j_get(o, "ptmxMode"))) {
    int m = v->t == J_STR ? parse_mode(v->s) : -1;
    if (m < 0) { b->error = xstrdup("boot.ptmxMode must be an octal mode string"); return; }
    b->ptmx_mode = m;
  }
  if ((v = j_get(o, "dev"))) {
    if (v->t != J_STR || (strcmp(v->s, "dir") && strcmp(v->s, "devtmpfs"))) { b->error = xstrdup("boot.dev must be \"dir\" or \"devtmpfs\""); return; }
    b->dev_devtmpfs = !strcmp(v->s, "devtmpfs");
  }
  if ((v = j_get(o, "rootPropagation"))) {
    if (v->t != J_STR || (strcmp(v->s, "private") && strcmp(v->s, "shared"))) { b->error = xstrdup("boot.rootPropagation must be \"private\" or \"shared\""); return; }
    b->root_shared = !strcmp(v->s, "shared");
  }
  /* the kernel's devtmpfs holds ptmx 0666 (tty_devnode): the harness never changes it */
  if (b->dev_devtmpfs && b->ptmx_mode != 0666) { b->error = xstrdup("boot.dev \"devtmpfs\" has the kernel's /dev/ptmx, 0666: the harness does not change it (boot.ptmxMode)"); return; }
}

/* ------------------------------------------------------------------ W <-> worker messages */

typedef struct {
  int op;
  int a;                  /* spawn: newns; setuid: has_gid; stat: nofollow; bind, propagate: recursive; umount: lazy; unshare: mount; remount: bind */
  int b, c;               /* spawn: inherit, propagation; unshare: user, propagation; propagate: type */
  unsigned u1, u2;        /* uid/gid, major/minor */
  int mode, has_mode;
  unsigned long mflags;
  int fd;                 /* handle fd in the worker */
  int has_data;
  long lval;              /* sysctl: the value to write (a: has a value) */
  char s1[STR_MAX];       /* path / target / fstype (mount: fstype in s3) */
  char s2[STR_MAX];       /* source / symlink path */
  char s3[STR_MAX];       /* mount data / fstype */
} req_t;

typedef struct {
  int err;                /* 0 or an errno */
  char tool[256];         /* non-empty: a harness error, not a kernel result */
  long val;               /* open/peer: fd; spawn: os pid */
  int index;              /* open of a ptmx: TIOCGPTN, else -1 */
  int is_devpts;
  unsigned long long dev, rdev, newdev;
  unsigned mode, uid, gid;
  int ftype;              /* 'd', 'c', 'r', 'l', '?' */
  size_t textlen;         /* readdir: NUL-separated names, sorted */
  char text[TEXT_MAX];
} rep_t;

/* Requests travel packed: the fixed fields, then s1, s2 and s3 as NUL-terminated strings
 * (a path is a few bytes; the struct holds 12 KiB, which every step would copy twice,
 * and copies are slow under TCG). */
static size_t pack_req(const req_t *q, char *buf) {
  size_t n = offsetof(req_t, s1);
  memcpy(buf, q, n);
  const char *s[3] = { q->s1, q->s2, q->s3 };
  for (int i = 0; i < 3; i++) {
    size_t l = strnlen(s[i], STR_MAX - 1);
    memcpy(buf + n, s[i], l);
    buf[n + l] = 0;
    n += l + 1;
  }
  return n;
}
static int unpack_req(const char *buf, size_t len, req_t *q) {
  size_t n = offsetof(req_t, s1);
  if (len < n) return -1;
  memcpy(q, buf, n);
  char *d[3] = { q->s1, q->s2, q->s3 };
  for (int i = 0; i < 3; i++) {
    const char *z = n < len ? memchr(buf + n, 0, len - n) : NULL;
    if (!z) return -1;
    size_t l = (size_t)(z - (buf + n));
    memcpy(d[i], buf + n, l + 1);
    n += l + 1;
  }
  return 0;
}

static int send_fd_msg(int sock, const void *data, size_t len, int fd) {
  struct iovec iov = { (void *)data, len };
  union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
  struct msghdr m = {0};
  m.msg_iov = &iov; m.msg_iovlen = 1;
  if (fd >= 0) {
    memset(&u, 0, sizeof u);
    m.msg_control = u.buf; m.msg_controllen = sizeof u.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  for (;;) {
    ssize_t n = sendmsg(sock, &m, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    return n == (ssize_t)len ? 0 : -1;
  }
}
static ssize_t recv_fd_msg(int sock, void *data, size_t len, int *fd) {
  struct iovec iov = { data, len };
  union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
  struct msghdr m = {0};
  m.msg_iov = &iov; m.msg_iovlen = 1;
  m.msg_control = u.buf; m.msg_controllen = sizeof u.buf;
  ssize_t n;
  do n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
  if (fd) *fd = -1;
  if (n > 0) {
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        int got; memcpy(&got, CMSG_DATA(c), sizeof(int));
        if (fd && *fd < 0) *fd = got; else close(got);
      }
  }
  return n;
}

/* ------------------------------------------------------------------ worker (one trace process) */

static pid_t world_pid, main_pid;

/* Only these char devices are ever opened: ptmx, pty slaves, the memory devices null,
 * zero, full, random, urandom (1:3, 1:5, 1:7, 1:8, 1:9) and /dev/tty (5:0: ENXIO, no
 * worker has a controlling terminal); /dev/console (5:1) only in a guest. */
static int device_allowed(dev_t rdev) {
  unsigned ma = major(rdev), mi = minor(rdev);
  return (ma == 5 && (mi == 2 || mi == 0 || (mi == 1 && guest))) || (ma >= 136 && ma <= 143) ||
         (ma == 1 && (mi == 3 || mi == 5 || mi == 7 || mi == 8 || mi == 9));
}

/* The kernel's devtmpfs (its st_dev, 0: none found): on the host it is the machine's
 * /dev, which the harness never writes into (mkdir, mknod, touch, symlink, unlink,
 * rename, link, chmod, chown there, a remount of it, `umount /` of a root on it) and
 * never lists; in a guest it is the guest's and those steps run. */
static unsigned long long devtmpfs_dev;
static unsigned long long devtmpfs_root_ino; /* its root directory: the machine's devices, which no model has */
static int on_devtmpfs(const char *path, int follow) {
  struct stat st;
  if (!devtmpfs_dev || guest) return 0;
  return (follow ? stat(path, &st) : lstat(path, &st)) == 0 && st.st_dev == devtmpfs_dev;
}
/* The directory a name would be created in or removed from (trailing slashes dropped). */
static int parent_on_devtmpfs(const char *path) {
  if (!devtmpfs_dev || guest) return 0;
  char dir[STR_MAX];
  size_t n = strnlen(path, STR_MAX - 1);
  while (n > 1 && path[n - 1] == '/') n--;
  while (n > 0 && path[n - 1] != '/') n--;
  while (n > 1 && path[n - 1] == '/') n--;
  if (n == 0) { dir[0] = '.'; dir[1] = 0; } else { memcpy(dir, path, n); dir[n] = 0; }
  return on_devtmpfs(dir, 1);
}
static int writes_devtmpfs(const char *path) { return on_devtmpfs(path, 0) || parent_on_devtmpfs(path); }
static int is_devtmpfs_root(const char *path) {
  struct stat st;
  return devtmpfs_dev && stat(path, &st) == 0 && st.st_dev == devtmpfs_dev && st.st_ino == devtmpfs_root_ino;
}

/* close_range(2) exists from 5.9; older kernels (the QEMU guests) answer ENOSYS. There,
 * one poll(2) over every possible descriptor (up to the soft limit) tells which are open
 * (the others are POLLNVAL), and only those are closed: a close per possible number
 * costs milliseconds per process under TCG. */
static void close_all_but(int keep) {
  if (keep > 0 && syscall(SYS_close_range, 0U, (unsigned)keep - 1, 0U) < 0 && errno != ENOSYS)
    for (int f = 0; f < keep; f++) close(f);
  if (syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U) == 0) return;
  struct rlimit rl;
  int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096 ? (int)rl.rlim_cur : 4096;
  struct pollfd fds[4096];
  for (int f = 0; f < top; f++) fds[f] = (struct pollfd){ .fd = f, .events = 0, .revents = 0 };
  if (poll(fds, (nfds_t)top, 0) < 0) { for (int f = 0; f < top; f++) if (f != keep) close(f); return; }
  for (int f = 0; f < top; f++) if (f != keep && !(fds[f].revents & POLLNVAL)) close(f);
}

static void do_stat(const req_t *q, rep_t *r) {
  struct stat st;
  int rc = q->a ? lstat(q->s1, &st) : stat(q->s1, &st);
  if (rc < 0) { r->err = errno; return; }
  r->ftype = S_ISDIR(st.st_mode) ? 'd' : S_ISCHR(st.st_mode) ? 'c' : S_ISREG(st.st_mode) ? 'r' : S_ISLNK(st.st_mode) ? 'l' : '?';
  r->mode = st.st_mode & 07777; r->uid = st.st_uid; r->gid = st.st_gid;
  r->rdev = st.st_rdev; r->dev = st.st_dev;
  if (!S_ISLNK(st.st_mode)) {
    struct statfs sf;
    if (statfs(q->s1, &sf) == 0) r->is_devpts = sf.f_type == DEVPTS_MAGIC;
    else snprintf(r->tool, sizeof r->tool, "harness: statfs after stat failed: %s", errno_name(errno));
  }
}

struct linux_dirent64 { unsigned long long d_ino; long long d_off; unsigned short d_reclen; unsigned char d_type; char d_name[]; };

/* getdents64, not opendir: workers never call malloc (see xmalloc) */
static void do_readdir(const req_t *q, rep_t *r) {
  int dfd = open(q->s1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) { r->err = errno; return; }
  char buf[8192];
  char names[TEXT_MAX];
  unsigned offs[2048];
  size_t used = 0, n = 0;
  for (;;) {
    long got = syscall(SYS_getdents64, dfd, buf, sizeof buf);
    if (got < 0) { r->err = errno; break; }
    if (got == 0) break;
    for (long pos = 0; pos < got;) {
      struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + pos);
      pos += e->d_reclen;
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      size_t l = strlen(e->d_name) + 1;
      if (n == sizeof offs / sizeof *offs || used + l > sizeof names) { snprintf(r->tool, sizeof r->tool, "harness: directory too large"); break; }
      memcpy(names + used, e->d_name, l);
      offs[n++] = (unsigned)used;
      used += l;
    }
  }
  close(dfd);
  for (size_t i = 1; i < n; i++) { /* insertion sort by strcmp (bytes), like the model's sort for ASCII */
    unsigned v = offs[i]; size_t j = i;
    while (j > 0 && strcmp(names + offs[j - 1], names + v) > 0) { offs[j] = offs[j - 1]; j--; }
    offs[j] = v;
  }
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(names + offs[i]) + 1;
    memcpy(r->text + len, names + offs[i], l);
    len += l;
  }
  r->textlen = len;
}

static void do_open(const req_t *q, rep_t *r) {
  struct stat st;
  if (stat(q->s1, &st) == 0 && S_ISCHR(st.st_mode) && !device_allowed(st.st_rdev)) {
    snprintf(r->tool, sizeof r->tool, "harness: refuses to open char device %u:%u (only ptmx, pty slaves, /dev/tty, the memory devices null, zero, full, random, urandom, and /dev/console in a guest)", major(st.st_rdev), minor(st.st_rdev));
    return;
  }
  int fd = open(q->s1, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) { r->err = errno; return; }
  r->val = fd;
  if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2) {
    unsigned idx;
    if (ioctl(fd, TIOCGPTN, &idx) == 0) r->index = (int)idx;
    else snprintf(r->tool, sizeof r->tool, "harness: TIOCGPTN failed: %s", errno_name(errno));
  }
}

/* The steps that create, remove or change a name or an inode. */
static void do_write(const req_t *q, rep_t *r) {
  switch (q->op) {
    case OP_MKDIR: if (mkdir(q->s1, q->has_mode ? (mode_t)q->mode : 0755) < 0) r->err = errno; break;
    case OP_MKNOD: if (mknod(q->s1, S_IFCHR | (q->has_mode ? (mode_t)q->mode : 0666), makedev(q->u1, q->u2)) < 0) r->err = errno; break;
    case OP_TOUCH:
      /* utimensat when the file exists, else create it like touch(1) would */
      if (utimensat(AT_FDCWD, q->s1, NULL, 0) < 0) {
        if (errno != ENOENT) { r->err = errno; break; }
        int fd = open(q->s1, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0) r->err = errno; else close(fd);
      }
      break;
    case OP_SYMLINK: if (symlink(q->s2, q->s1) < 0) r->err = errno; break;
    case OP_UNLINK: if (unlink(q->s1) < 0) r->err = errno; break;
    case OP_CHMOD: if (chmod(q->s1, (mode_t)q->mode) < 0) r->err = errno; break;
    case OP_CHOWN: if (chown(q->s1, q->u1, q->u2) < 0) r->err = errno; break;
    default: break;
  }
}

/* fstat of a handle: the inode it was opened on, and a pty end's index (a master's by
 * TIOCGPTN, a slave's from its device number). */
static void do_fstat(const req_t *q, rep_t *r) {
  struct stat st;
  struct statfs sf;
  if (fstat(q->fd, &st) < 0) { r->err = errno; return; }
  r->ftype = S_ISDIR(st.st_mode) ? 'd' : S_ISCHR(st.st_mode) ? 'c' : S_ISREG(st.st_mode) ? 'r' : S_ISLNK(st.st_mode) ? 'l' : '?';
  r->mode = st.st_mode & 07777; r->uid = st.st_uid; r->gid = st.st_gid;
  r->rdev = st.st_rdev; r->dev = st.st_dev;
  if (fstatfs(q->fd, &sf) == 0) r->is_devpts = sf.f_type == DEVPTS_MAGIC;
  else snprintf(r->tool, sizeof r->tool, "harness: fstatfs failed: %s", errno_name(errno));
  if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2) {
    unsigned idx;
    if (ioctl(q->fd, TIOCGPTN, &idx) == 0) r->index = (int)idx;
    else snprintf(r->tool, sizeof r->tool, "harness: TIOCGPTN failed: %s", errno_name(errno));
  } else if (S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143) {
    r->index = (int)((major(st.st_rdev) - 136) * 256 + minor(st.st_rdev));
  }
}

#define WORKER_STACK (512 * 1024)
static int worker_entry(void *arg);

/* A new trace process: clone(CLONE_VM) with its own stack. It shares only memory (which
 * no devpts rule can see) with W; fd table, fs root/cwd, creds, signal handlers and
 * mount namespace are its own, exactly as after fork(2) - at a tenth of fork's cost on
 * a paravirtualized machine, where copying page tables dominates. CLONE_PARENT makes W
 * the parent of every worker, so W can wait for an `exit` and PDEATHSIG ties every
 * worker to W. Returns the new pid or -errno. */
static char *worker_stacks[MAX_PROCS]; /* one per process slot, kept for later worlds */

/* What a spawned worker does first (written by its parent before the clone; memory is
 * shared): close only its parent's channel (inherit) or every descriptor, then the
 * propagation change of util-linux `unshare -m` for a new namespace. */
typedef struct { int inherit, parent_sock, newns, nsp; } spawn_info_t;
static spawn_info_t spawn_info[MAX_PROCS];

static long new_worker(int sock, unsigned long extra_flags, unsigned slot) {
  if (slot >= MAX_PROCS) return -EINVAL;
  if (!worker_stacks[slot]) {
    char *stack = mmap(NULL, WORKER_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return -errno;
    worker_stacks[slot] = stack;
  }
  int c = clone(worker_entry, worker_stacks[slot] + WORKER_STACK, (int)(CLONE_VM | SIGCHLD | extra_flags), (void *)(intptr_t)(sock | (int)(slot << 16)));
  return c < 0 ? -errno : c;
}

/* util-linux `unshare -m` gives up (and nothing happens) when `mount --make-rP /` fails:
 * a throw-away task (sharing only memory) makes the same unshare and tries it first; 0 or
 * the errno of the unshare or of the mount. */
struct precheck { int clone_flags; unsigned long pflag; };
static int precheck_fn(void *arg) {
  const struct precheck *p = arg;
  if (unshare(p->clone_flags) < 0) return errno;
  return mount(NULL, "/", NULL, MS_REC | p->pflag, NULL) < 0 ? errno : 0;
}
static int precheck_propagation(int clone_flags, unsigned long pflag) {
  static char stack[64 * 1024] __attribute__((aligned(16))); /* W and the workers take turns: one at a time */
  struct precheck p = { clone_flags, pflag };
  int c = clone(precheck_fn, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &p);
  if (c < 0) return errno;
  int st = 0;
  while (waitpid(c, &st, __WALL) < 0 && errno == EINTR) {}
  return WIFEXITED(st) ? WEXITSTATUS(st) : EIO;
}

/* unshare -U -r: uid and gid 0 inside are the caller's ids outside (setgroups denied
 * first, as util-linux does); through the /proc of the world's host (`proc`). */
static int write_id_maps(int proc, unsigned uid, unsigned gid) {
  char path[64], text[64];
  long pid = syscall(SYS_getpid);
  const char *files[3] = { "setgroups", "uid_map", "gid_map" };
  for (int i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%ld/%s", pid, files[i]);
    int n = i == 0 ? snprintf(text, sizeof text, "deny") : snprintf(text, sizeof text, "0 %u 1", i == 1 ? uid : gid);
    int fd = openat(proc, path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) { if (i == 0 && errno == ENOENT) continue; return -1; } /* no setgroups file before 3.19 */
    int ok = write(fd, text, (size_t)n) == n;
    close(fd);
    if (!ok) return -1;
  }
  return 0;
}

/* Serve W's requests until told to exit. `sock` is this process's channel to W. */
static int worker_entry(void *arg) {
  int sock = (int)(intptr_t)arg & 0xffff;
  spawn_info_t info = spawn_info[(int)(intptr_t)arg >> 16];
  req_t q;                /* on this worker's own stack: memory is shared with W */
  rep_t r;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != world_pid) _exit(1);
  if (info.inherit) close(info.parent_sock); /* the parent's handles stay (spawn inherit) */
  else close_all_but(sock);    /* no inherited handles, not even the parent's channel */
  setsid();               /* no controlling terminal: /dev/tty is ENXIO, as for every process of the model */
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTTOU, SIG_IGN);
  signal(SIGTTIN, SIG_IGN);
  /* spawn with newns: util-linux's `mount --make-rprivate /` (or the propagation asked) */
  if (info.newns && nsp_flag(info.nsp) && mount(NULL, "/", NULL, MS_REC | nsp_flag(info.nsp), NULL) < 0) {
    char e[2] = { 'E', (char)errno };
    send_fd_msg(sock, e, 2, -1);
    _exit(0);
  }
  /* tell W we hold nothing of our parent's any more: until then a close in the parent
   * would not release its pty (the copy of the fd table still refers to it) */
  if (send_fd_msg(sock, "R", 1, -1) < 0) _exit(1);
  for (;;) {
    int passed = -1;
    char packed[sizeof q];
    ssize_t n = recv_fd_msg(sock, packed, sizeof packed, &passed);
    if (n <= 0 || unpack_req(packed, (size_t)n, &q) < 0) _exit(0);
    memset(&r, 0, offsetof(rep_t, text));
    r.index = -1;
    const char *data = q.has_data ? q.s3 : NULL;
    switch (q.op) {
      case OP_SPAWN: {
        if (passed < 0) { snprintf(r.tool, sizeof r.tool, "harness: spawn without a channel"); break; }
        spawn_info[q.u1] = (spawn_info_t){ q.b, sock, q.a, q.c };
        long c = new_worker(passed, CLONE_PARENT | (q.a ? CLONE_NEWNS : 0), q.u1); /* newns as non-root: EPERM */
        close(passed);
        if (c < 0) r.err = (int)-c; else r.val = c;
        break;
      }
      case OP_UNSHARE: {
        int flags = (q.b ? CLONE_NEWUSER : 0) | (q.a ? CLONE_NEWNS : 0);
        unsigned long pflag = q.a ? nsp_flag(q.c) : 0;
        unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();
        if (!flags) break;
        if (q.b && passed < 0) { snprintf(r.tool, sizeof r.tool, "harness: unshare of a user namespace without /proc"); break; }
        if (pflag && (r.err = precheck_propagation(flags, pflag))) break;
        if (q.b) prctl(PR_SET_DUMPABLE, 1); /* /proc/PID/uid_map belongs to the process, not root */
        if (unshare(flags) < 0) { r.err = errno; break; }
        if (q.b && write_id_maps(passed, uid, gid) < 0) { snprintf(r.tool, sizeof r.tool, "harness: writing the id maps: %s", errno_name(errno)); break; }
        if (pflag && mount(NULL, "/", NULL, MS_REC | pflag, NULL) < 0) snprintf(r.tool, sizeof r.tool, "harness: mount --make-r* / failed after its check: %s", errno_name(errno));
        break;
      }
      case OP_CHROOT: if (chroot(q.s1) < 0) r.err = errno; break;
      case OP_CHDIR: if (chdir(q.s1) < 0) r.err = errno; break;
      case OP_PIVOTROOT: if (syscall(SYS_pivot_root, q.s2, q.s1) < 0) r.err = errno; break;
      case OP_MOVE: if (mount(q.s2, q.s1, NULL, MS_MOVE, NULL) < 0) r.err = errno; break;
      case OP_PROPAGATE: if (mount(NULL, q.s1, NULL, PTYPE_FLAGS[q.c] | (q.a ? MS_REC : 0), NULL) < 0) r.err = errno; break;
      case OP_RENAME:
        if (writes_devtmpfs(q.s2) || writes_devtmpfs(q.s1)) { snprintf(r.tool, sizeof r.tool, "harness: refuses to write into devtmpfs (the host's /dev)"); break; }
        if (rename(q.s2, q.s1) < 0) r.err = errno;
        break;
      case OP_LINK:
        if (writes_devtmpfs(q.s1) || on_devtmpfs(q.s2, 0)) { snprintf(r.tool, sizeof r.tool, "harness: refuses to write into devtmpfs (the host's /dev)"); break; }
        if (link(q.s2, q.s1) < 0) r.err = errno;
        break;
      case OP_DUP: { int fd = fcntl(q.fd, F_DUPFD_CLOEXEC, 0); if (fd < 0) r.err = errno; else r.val = fd; break; }
      case OP_FSTAT: do_fstat(&q, &r); break;
      case OP_MOUNTS: {
        if (passed < 0) { snprintf(r.tool, sizeof r.tool, "harness: mounts without /proc"); break; }
        char path[64];
        snprintf(path, sizeof path, "%ld/mountinfo", (long)syscall(SYS_getpid));
        int fd = openat(passed, path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) { snprintf(r.tool, sizeof r.tool, "harness: open /proc/PID/mountinfo: %s", errno_name(errno)); break; }
        size_t len = 0;
        for (;;) {
          ssize_t n = read(fd, r.text + len, sizeof r.text - 1 - len);
          if (n < 0 && errno == EINTR) continue;
          if (n <= 0) break;
          len += (size_t)n;
          if (len == sizeof r.text - 1) { snprintf(r.tool, sizeof r.tool, "harness: mountinfo too long"); break; }
        }
        close(fd);
        r.text[len] = 0;
        r.textlen = len + 1;
        break;
      }
      case OP_SETUID:
        /* raw syscalls: this task only (glibc would broadcast to "threads") */
        /* (W emptied the supplementary groups, so this is a no-op; a user namespace made
         * by `unshare -U -r` has setgroups denied: EPERM there is no answer of setuid's) */
        if (geteuid() == 0 && syscall(SYS_setgroups, 0, NULL) < 0 && errno != EPERM) { r.err = errno; break; }
        if (syscall(SYS_setresgid, q.u2, q.u2, q.u2) < 0) { r.err = errno; break; }
        if (syscall(SYS_setresuid, q.u1, q.u1, q.u1) < 0) { r.err = errno; break; }
        break;
      case OP_EXIT: _exit(0);
      case OP_MOUNT: {
        if (mount(q.s3, q.s1, q.s3, q.mflags, q.has_data ? q.s2 : NULL) < 0) { r.err = errno; break; }
        /* the new instance's st_dev: W forgets a label whose (dead) instance had it */
        struct stat st; struct statfs sf;
        if (!strcmp(q.s3, "devpts") && stat(q.s1, &st) == 0 && statfs(q.s1, &sf) == 0 && sf.f_type == DEVPTS_MAGIC) r.newdev = st.st_dev;
        break;
      }
      case OP_REMOUNT:
        /* a remount of the superblock (not MS_BIND) of the host's devtmpfs would change the machine's /dev */
        if (!q.a && on_devtmpfs(q.s1, 1)) { snprintf(r.tool, sizeof r.tool, "harness: refuses to remount devtmpfs (the host's /dev)"); break; }
        if (mount(NULL, q.s1, NULL, MS_REMOUNT | (q.a ? MS_BIND : 0) | q.mflags, data) < 0) r.err = errno;
        break;
      case OP_BIND: if (mount(q.s2, q.s1, NULL, MS_BIND | (q.a ? MS_REC : 0), NULL) < 0) r.err = errno; break;
      case OP_UMOUNT: {
        /* `umount /` of the process's root without MNT_DETACH remounts its superblock read-only (do_umount_root) */
        struct stat a, b;
        if (!q.a && on_devtmpfs(q.s1, 1) && stat(q.s1, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
          snprintf(r.tool, sizeof r.tool, "harness: refuses umount of a root on devtmpfs (it would remount the host's /dev read-only)");
          break;
        }
        if (umount2(q.s1, q.a ? MNT_DETACH : 0) < 0) r.err = errno;
        break;
      }
      case OP_MKDIR: case OP_MKNOD: case OP_TOUCH: case OP_SYMLINK: case OP_UNLINK: case OP_CHMOD: case OP_CHOWN:
        if (writes_devtmpfs(q.s1) || ((q.op == OP_TOUCH || q.op == OP_CHMOD || q.op == OP_CHOWN) && on_devtmpfs(q.s1, 1))) {
          snprintf(r.tool, sizeof r.tool, "harness: refuses to write into devtmpfs (the host's /dev)");
          break;
        }
        do_write(&q, &r);
        break;
      case OP_STAT: do_stat(&q, &r); break;
      case OP_READDIR:
        if (is_devtmpfs_root(q.s1)) { snprintf(r.tool, sizeof r.tool, "harness: does not list the root of devtmpfs (it holds the machine's devices)"); break; }
        do_readdir(&q, &r);
        break;
      case OP_OPEN: do_open(&q, &r); break;
      case OP_UNLOCKPT: { int zero = 0; if (ioctl(q.fd, TIOCSPTLCK, &zero) < 0) r.err = errno; break; }
      case OP_PEER: {
        int fd = ioctl(q.fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (fd < 0) r.err = errno; else r.val = fd;
        break;
      }
      case OP_CLOSE: if (close(q.fd) < 0) r.err = errno; break;
      case OP_SYSCTL: { /* openat the setting in /proc/sys/kernel/pty (W's descriptor): EACCES etc. are the kernel's */
        if (passed < 0) { snprintf(r.tool, sizeof r.tool, "harness: sysctl without /proc/sys/kernel/pty"); break; }
        int fd = openat(passed, q.s1, (q.a ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
        if (fd < 0) { r.err = errno; break; }
        char t[32];
        if (q.a) {
          int n = snprintf(t, sizeof t, "%ld\n", q.lval);
          errno = 0;
          if (write(fd, t, (size_t)n) != n) r.err = errno ? errno : EIO;
        } else {
          ssize_t n = read(fd, t, sizeof t - 1);
          if (n < 0) r.err = errno; else { t[n] = 0; r.val = strtol(t, NULL, 10); }
          if (n >= 0 && guest && !strcmp(q.s1, "nr")) r.val -= nr_offset;
        }
        close(fd);
        break;
      }
      default: snprintf(r.tool, sizeof r.tool, "harness: bad request"); break;
    }
    if (passed >= 0 && q.op != OP_SPAWN) close(passed);
    if (send_fd_msg(sock, &r, offsetof(rep_t, text) + r.textlen, -1) < 0) _exit(0);
  }
}

/* ------------------------------------------------------------------ world (W) */

typedef struct { long pid; pid_t os; int sock; int used; } proc_t;
typedef struct { char *name; long pid; int fd; int used; } handle_t; /* name: any string, in the arena */
typedef struct { unsigned long long dev; int label; int valid; } label_t;

static proc_t procs[MAX_PROCS];
static handle_t handles[MAX_HANDLES];
static label_t labels[MAX_LABELS];
static int nlabels, next_label = 1;
static long fd_counter = 1;
static int kmsg_fd = -1;
static int pty_sysctl_fd = -1;  /* W: /proc/sys/kernel/pty (read only on the host) */
static int proc_dir_fd = -1;    /* W: the host's (guest's) /proc, for uid_map and mountinfo */
static int touched_devtmpfs;    /* W: the sequence mounted devtmpfs (a guest checks it afterwards) */
static unsigned long long initial_devpts_dev; /* guest: st_dev of the kernel's initial instance (0: none known) */

static proc_t *proc_of(long pid) {
  for (int i = 0; i < MAX_PROCS; i++) if (procs[i].used && procs[i].pid == pid) return &procs[i];
  return NULL;
}
static handle_t *handle_named(const char *name) {
  for (int i = 0; i < MAX_HANDLES; i++) if (handles[i].used && !strcmp(handles[i].name, name)) return &handles[i];
  return NULL;
}
static int label_of(unsigned long long dev) {
  for (int i = 0; i < nlabels; i++) if (labels[i].valid && labels[i].dev == dev) return labels[i].label;
  if (nlabels == MAX_LABELS) return -1;
  labels[nlabels] = (label_t){ dev, next_label++, 1 };
  return labels[nlabels++].label;
}
static void forget_label(unsigned long long dev) {
  for (int i = 0; i < nlabels; i++) if (labels[i].valid && labels[i].dev == dev) labels[i].valid = 0;
}

/* Keep a console line when it is devpts's own ("devpts: ..."). */
static void keep_log_line(buf_t *lines, int *count, const char *text) {
  if (strncmp(text, "devpts: ", 8)) return;
  b_puts(lines, *count ? "," : "");
  b_json_str(lines, text);
  (*count)++;
}

/* Guest kernels before 3.5 cannot read /dev/kmsg: syslog(2) reads and clears the ring
 * buffer instead (SYSLOG_ACTION_READ_CLEAR). Only in a guest (--guest): on the host the
 * ring buffer is the machine's and is never cleared. Lines are "<3>text", maybe after a
 * "[ seconds] " stamp. */
static int use_syslog;
static char syslog_buf[1 << 17];
static void read_syslog(buf_t *lines, int *count) {
  int n = klogctl(4 /* SYSLOG_ACTION_READ_CLEAR */, syslog_buf, (int)sizeof syslog_buf - 1);
  if (n <= 0) return;
  syslog_buf[n] = 0;
  for (char *line = syslog_buf, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    if (line[0] == '<') { char *gt = strchr(line, '>'); if (gt) line = gt + 1; }
    if (line[0] == '[') { char *rb = strchr(line, ']'); if (rb && rb[1] == ' ') line = rb + 2; }
    keep_log_line(lines, count, line);
  }
}

/* Drain the kernel log (/dev/kmsg, or syslog(2) in an old guest); keep the lines starting
 * "devpts: " (the records this step produced). */
static void read_kmsg(buf_t *lines, int *count) {
  if (use_syslog) { read_syslog(lines, count); return; }
  if (kmsg_fd < 0) return;
  char rec[8192];
  for (;;) {
    ssize_t n = read(kmsg_fd, rec, sizeof rec - 1);
    if (n < 0) { if (errno == EPIPE || errno == EINTR) continue; break; }
    if (n == 0) break;
    rec[n] = 0;
    char *msg = strchr(rec, ';');
    if (!msg) continue;
    msg++;
    char *nl = strchr(msg, '\n');
    if (nl) *nl = 0;
    char text[8192]; size_t t = 0; /* undo kmsg's \xNN escaping */
    for (char *c = msg; *c && t < sizeof text - 1; c++) {
      if (c[0] == '\\' && c[1] == 'x' && j_hex(c[2]) >= 0 && j_hex(c[3]) >= 0) { text[t++] = (char)(j_hex(c[2]) * 16 + j_hex(c[3])); c += 3; }
      else text[t++] = *c;
    }
    text[t] = 0;
    keep_log_line(lines, count, text);
  }
}

static int call_worker(proc_t *p, req_t *q, rep_t *r, int passfd) {
  static char packed[sizeof(req_t)];
  if (send_fd_msg(p->sock, packed, pack_req(q, packed), passfd) < 0) return -1;
  memset(r, 0, offsetof(rep_t, text));
  ssize_t n = recv_fd_msg(p->sock, r, sizeof *r, NULL);
  if (n < (ssize_t)offsetof(rep_t, text)) return -1;
  return 0;
}

static void reap(proc_t *p) {
  close(p->sock);
  if (p->os > 0) while (waitpid(p->os, NULL, __WALL) < 0 && errno == EINTR) {}
  p->used = 0;
}

static void drop_handles_of(long pid) {
  for (int i = 0; i < MAX_HANDLES; i++) if (handles[i].used && handles[i].pid == pid) handles[i].used = 0;
}

/* A new worker says "R" once it has closed every fd it inherited, or "E" and an errno
 * when the propagation change of its new namespace failed (then it is gone): 0, the
 * errno, or -1. */
static int wait_ready(int sock) {
  char c[2] = { 0, 0 };
  ssize_t n;
  do n = recv(sock, c, 2, 0); while (n < 0 && errno == EINTR);
  if (n == 1 && c[0] == 'R') return 0;
  if (n == 2 && c[0] == 'E' && c[1] > 0) return (unsigned char)c[1];
  return -1;
}

/* start the worker of pid 1 (a child of W) */
static int start_init_worker(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return -1;
  spawn_info[0] = (spawn_info_t){ 0, -1, 0, 0 };
  long c = new_worker(sv[1], 0, 0);
  close(sv[1]);
  if (c < 0) { close(sv[0]); errno = (int)-c; return -1; }
  procs[0] = (proc_t){ 1, (pid_t)c, sv[0], 1 };
  return wait_ready(sv[0]) == 0 ? 0 : -1;
}

static char *known_filesystems; /* "\tname\n" lines of /proc/filesystems, read by M at start */

/* Register a handle: the step's `as`, else fdN, N counting successful opens, peers and
 * dups of the sequence and skipping names in use (model/fds.ts addHandle). */
static const char *add_handle(const char *as, long pid, int fd) {
  char name[32];
  if (!as) {
    while (snprintf(name, sizeof name, "fd%ld", fd_counter), handle_named(name)) fd_counter++;
    as = name;
  }
  fd_counter++;
  for (int i = 0; i < MAX_HANDLES; i++) if (!handles[i].used) {
    handles[i] = (handle_t){ xstrdup(as), pid, fd, 1 };
    return handles[i].name;
  }
  return NULL;
}

static int free_handle_slots(void) {
  int n = 0;
  for (int i = 0; i < MAX_HANDLES; i++) n += !handles[i].used;
  return n;
}

/* mountinfo's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) undone */
static void unescape_mountinfo(char *s) {
  char *o = s;
  for (char *c = s; *c; c++) {
    if (c[0] == '\\' && c[1] >= '0' && c[1] <= '3' && c[2] >= '0' && c[2] <= '7' && c[3] >= '0' && c[3] <= '7') {
      *o++ = (char)((c[1] - '0') * 64 + (c[2] - '0') * 8 + (c[3] - '0'));
      c += 3;
    } else *o++ = *c;
  }
  *o = 0;
}

/* Generic superblock flags show_mountinfo prints before the filesystem's own options (show_sb_opts). */
static int generic_sb_option(const char *o, size_t n) {
  static const char *const GENERIC[] = { "rw", "ro", "sync", "dirsync", "mand", "lazytime", NULL };
  for (int i = 0; GENERIC[i]; i++) if (strlen(GENERIC[i]) == n && !strncmp(GENERIC[i], o, n)) return 1;
  return 0;
}

/* The `mounts` result from the text of /proc/PID/mountinfo: one object per line, in its
 * order: target (as the process sees it), fstype, fs (devptsN by st_dev, else "other"),
 * and for devpts its own options (the super options without the generic flags). */
static void emit_mounts(buf_t *out, char *text) {
  b_puts(out, ",\"mounts\":[");
  int first = 1;
  for (char *line = text, *next; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = 0;
    char *f[10]; int nf = 0;
    char *sep = strstr(line, " - ");
    if (!sep) continue;
    *sep = 0;
    for (char *t = strtok(line, " "); t && nf < 5; t = strtok(NULL, " ")) f[nf++] = t;
    if (nf < 5) continue;
    char *fstype = strtok(sep + 3, " ");
    char *source = fstype ? strtok(NULL, " ") : NULL;
    char *super = source ? strtok(NULL, " ") : NULL;
    if (!super) continue;
    unsigned ma = 0, mi = 0;
    if (sscanf(f[2], "%u:%u", &ma, &mi) != 2) continue;
    unescape_mountinfo(f[4]);
    b_puts(out, first ? "{\"target\":" : ",{\"target\":");
    first = 0;
    b_json_str(out, f[4]);
    b_puts(out, ",\"fstype\":"); b_json_str(out, fstype);
    if (!strcmp(fstype, "devpts")) {
      b_printf(out, ",\"fs\":\"devpts%d\",\"options\":\"", label_of((unsigned long long)makedev(ma, mi)));
      int any = 0;
      for (char *o = super; *o;) {
        size_t n = strcspn(o, ",");
        if (!generic_sb_option(o, n)) { if (any) b_puts(out, ","); b_add(out, o, n); any = 1; }
        o += n;
        if (*o == ',') o++;
      }
      b_puts(out, "\"}");
    } else {
      b_puts(out, ",\"fs\":\"other\"}");
    }
  }
  b_puts(out, "]");
}

/* Run one step in the world; append its result line (without newline) to out. */
static void run_step(const step_t *s, buf_t *out) {
  static req_t q;
  static rep_t r;
  if (!s->op) { b_puts(out, "{\"error\":"); b_json_str(out, s->error); b_puts(out, "}"); return; }
  proc_t *p = proc_of(s->pid);
  char msg[512];
#define TOOL(...) do { snprintf(msg, sizeof msg, __VA_ARGS__); b_puts(out, "{\"error\":"); b_json_str(out, msg); b_puts(out, "}"); return; } while (0)
  if (!p) TOOL("process %ld does not exist", s->pid);
  memset(&q, 0, offsetof(req_t, s1));
  q.s1[0] = q.s2[0] = q.s3[0] = 0;
  q.op = s->op;
  handle_t *h = NULL;
  if (s->fd) {
    h = handle_named(s->fd);
    if (!h || h->pid != s->pid) TOOL("process %ld has no open handle \"%.200s\"", s->pid, s->fd);
    q.fd = h->fd;
  }
  if (s->as && handle_named(s->as)) TOOL("handle \"%.200s\" is already open", s->as);
  if ((s->op == OP_OPEN || s->op == OP_PEER || s->op == OP_DUP) && free_handle_slots() < 2) TOOL("harness: too many open handles (at most %d)", MAX_HANDLES - 2);
  int passfd = -1, sv[2] = { -1, -1 }, spawn_slot = -1;
  switch (s->op) {
    case OP_SPAWN: {
      if (proc_of(s->child)) TOOL("process %ld already exists", s->child);
      int slot = -1, held = 0;
      for (int i = 0; i < MAX_PROCS; i++) if (!procs[i].used) { slot = i; break; }
      if (slot < 0) TOOL("harness: too many processes (at most %d)", MAX_PROCS);
      for (int i = 0; s->inherit && i < MAX_HANDLES; i++) if (handles[i].used && handles[i].pid == s->pid) held++;
      if (held > free_handle_slots() - 2) TOOL("harness: too many open handles (at most %d)", MAX_HANDLES - 2);
      if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) TOOL("harness: socketpair: %s", errno_name(errno));
      passfd = sv[1];
      q.a = s->newns; q.b = s->inherit; q.c = s->nsp;
      q.u1 = (unsigned)slot; /* the child runs on this slot's stack */
      spawn_slot = slot;
      break;
    }
    case OP_UNSHARE:
      q.a = s->unshare_mount; q.b = s->user; q.c = s->nsp;
      if (s->user) {
        if (proc_dir_fd < 0) TOOL("harness: /proc cannot be opened: no user namespaces");
        passfd = proc_dir_fd;
      }
      break;
    case OP_MOUNTS:
      if (proc_dir_fd < 0) TOOL("harness: /proc cannot be opened: no mountinfo");
      passfd = proc_dir_fd;
      break;
    case OP_SETUID: q.u1 = s->uid; q.u2 = s->gid; break;
    case OP_MOUNT: case OP_REMOUNT:
      snprintf(q.s1, sizeof q.s1, "%s", s->target);
      q.mflags = s->mflags;
      q.a = s->bind;
      if (s->options) { q.has_data = 1; snprintf(s->op == OP_MOUNT ? q.s2 : q.s3, STR_MAX, "%s", s->options); }
      if (s->op == OP_MOUNT) {
        if (strcmp(s->fstype, "devpts") && strcmp(s->fstype, "tmpfs") && strcmp(s->fstype, "devtmpfs")) {
          /* never make the kernel load a module (request_module) or mount a real filesystem:
           * a type it does not know is ENODEV (get_fs_type) without the syscall */
          char pat[STR_MAX + 3];
          snprintf(pat, sizeof pat, "\t%s\n", s->fstype);
          if (known_filesystems && !strstr(known_filesystems, pat) && !strpbrk(s->fstype, "\t\n")) {
            b_puts(out, "{\"errno\":\"ENODEV\"}");
            return;
          }
          TOOL("harness: refuses to mount a filesystem of type \"%.100s\" (only devpts, tmpfs and devtmpfs)", s->fstype);
        }
        /* devtmpfs is the kernel's one instance: on the host, the machine's /dev. A mount of it
         * with data or flags may reconfigure it (mount_single, reconfigure_single before 6.x) */
        if (!strcmp(s->fstype, "devtmpfs") && !guest && (s->options || s->mflags))
          TOOL("harness: mounts the host's devtmpfs only without options and flags");
        snprintf(q.s3, sizeof q.s3, "%s", s->fstype);
      }
      break;
    case OP_BIND: snprintf(q.s1, sizeof q.s1, "%s", s->target); snprintf(q.s2, sizeof q.s2, "%s", s->source); q.a = s->recursive; break;
    case OP_MOVE: case OP_PIVOTROOT: case OP_RENAME:
      snprintf(q.s1, sizeof q.s1, "%s", s->target); snprintf(q.s2, sizeof q.s2, "%s", s->source);
      break;
    case OP_LINK: snprintf(q.s1, sizeof q.s1, "%s", s->path); snprintf(q.s2, sizeof q.s2, "%s", s->source); break;
    case OP_PROPAGATE: snprintf(q.s1, sizeof q.s1, "%s", s->target); q.a = s->recursive; q.c = s->ptype; break;
    case OP_UMOUNT: snprintf(q.s1, sizeof q.s1, "%s", s->target); q.a = s->lazy; break;
    case OP_SYMLINK: snprintf(q.s1, sizeof q.s1, "%s", s->path); snprintf(q.s2, sizeof q.s2, "%s", s->target); break;
    case OP_SYSCTL:
      if (pty_sysctl_fd < 0) TOOL("harness: /proc/sys/kernel/pty cannot be opened here");
      snprintf(q.s1, sizeof q.s1, "%s", s->name + 11);
      q.a = s->has_value; q.lval = s->value;
      passfd = pty_sysctl_fd;
      break;
    case OP_MKNOD: q.u1 = s->major; q.u2 = s->minor; /* fall through */
    case OP_MKDIR: q.mode = s->mode; q.has_mode = s->has_mode; /* fall through */
    default:
      if (s->path) snprintf(q.s1, sizeof q.s1, "%s", s->path);
      if (s->op == OP_CHMOD) q.mode = s->mode;
      if (s->op == OP_CHOWN) { q.u1 = s->uid; q.u2 = s->gid; }
      if (s->op == OP_STAT) q.a = s->nofollow;
      break;
  }
  /* Console lines: only mount and remount make devpts print. They run holding a lock all
   * harnesses take for it (flock on /dev/kmsg), drain what came before, and read what
   * came during; other steps never read kmsg, so another harness's lines land nowhere. */
  int locked = 0;
  buf_t log = {0}; int nlog = 0;
  if ((s->op == OP_MOUNT || s->op == OP_REMOUNT) && (kmsg_fd >= 0 || use_syslog)) {
    if (kmsg_fd >= 0) flock(kmsg_fd, LOCK_EX);
    locked = 1;
    read_kmsg(&log, &nlog); /* anything older is not this step's */
    log = (buf_t){0}; nlog = 0;
  }
  if (s->op == OP_EXIT) {
    static char packed[sizeof(req_t)];
    send_fd_msg(p->sock, packed, pack_req(&q, packed), -1);
    reap(p);
    drop_handles_of(s->pid);
    b_puts(out, "{\"ok\":true}");
    return;
  }
  int rc = call_worker(p, &q, &r, passfd);
  if (sv[1] >= 0) close(sv[1]);
  if (locked) { read_kmsg(&log, &nlog); if (kmsg_fd >= 0) flock(kmsg_fd, LOCK_UN); }
  if (rc < 0) {
    if (sv[0] >= 0) close(sv[0]);
    reap(p);
    drop_handles_of(s->pid);
    xfree(log.p);
    TOOL("harness: process %ld died", s->pid);
  }
  if (r.tool[0]) { if (sv[0] >= 0) close(sv[0]); xfree(log.p); TOOL("%s", r.tool); }
  if (s->op == OP_SPAWN && !r.err) {
    procs[spawn_slot] = (proc_t){ s->child, (pid_t)r.val, sv[0], 1 };
    int ready = wait_ready(sv[0]);
    if (ready != 0) reap(&procs[spawn_slot]);
    if (ready < 0) { xfree(log.p); TOOL("harness: process %ld did not start", s->child); }
    if (ready > 0) { r.err = ready; sv[0] = -1; } /* its new namespace's propagation change failed: it is gone */
  }
  if (r.err) {
    if (sv[0] >= 0) close(sv[0]);
    b_printf(out, "{\"errno\":\"%s\"", errno_name(r.err));
  } else {
    b_puts(out, "{\"ok\":true");
    switch (s->op) {
      case OP_SPAWN: /* registered above; with inherit, the child holds NAME@CHILD for each of the parent's handles */
        for (int i = 0; s->inherit && i < MAX_HANDLES; i++) {
          if (!handles[i].used || handles[i].pid != s->pid) continue;
          char *name = xmalloc(strlen(handles[i].name) + 24);
          sprintf(name, "%s@%ld", handles[i].name, s->child);
          for (int j = 0; j < MAX_HANDLES; j++) if (!handles[j].used) { handles[j] = (handle_t){ name, s->child, handles[i].fd, 1 }; break; }
        }
        break;
      /* a devpts mount made a new instance: a label of a dead instance with the same st_dev
       * is forgotten - but never the initial (=y) or single (=n) instance's, which every
       * plain mount on an old kernel attaches again and which never dies */
      case OP_MOUNT:
        if (r.newdev && r.newdev != initial_devpts_dev) forget_label(r.newdev);
        if (!strcmp(s->fstype, "devtmpfs")) touched_devtmpfs = 1;
        break;
      case OP_OPEN: case OP_PEER: case OP_DUP: {
        const char *name = add_handle(s->as, s->pid, (int)r.val);
        b_puts(out, ",\"fd\":"); b_json_str(out, name);
        if (s->op == OP_OPEN && r.index >= 0) b_printf(out, ",\"index\":%d", r.index);
        break;
      }
      case OP_CLOSE: h->used = 0; break;
      case OP_SYSCTL: if (!s->has_value) b_printf(out, ",\"value\":%ld", r.val); break;
      case OP_STAT: case OP_FSTAT: {
        const char *t = r.ftype == 'd' ? "dir" : r.ftype == 'c' ? "chr" : r.ftype == 'r' ? "reg" : r.ftype == 'l' ? "lnk" : "other";
        b_printf(out, ",\"type\":\"%s\",\"mode\":\"0%03o\",\"uid\":%u,\"gid\":%u", t, r.mode, r.uid, r.gid);
        if (r.ftype == 'c') b_printf(out, ",\"rdev\":\"%u:%u\"", major((dev_t)r.rdev), minor((dev_t)r.rdev));
        if (r.is_devpts) b_printf(out, ",\"fs\":\"devpts%d\"", label_of(r.dev)); else b_puts(out, ",\"fs\":\"other\"");
        if (s->op == OP_FSTAT && r.index >= 0) b_printf(out, ",\"index\":%d", r.index);
        break;
      }
      case OP_READDIR: {
        b_puts(out, ",\"entries\":[");
        for (size_t off = 0, i = 0; off < r.textlen; i++) {
          if (i) b_puts(out, ",");
          b_json_str(out, r.text + off);
          off += strlen(r.text + off) + 1;
        }
        b_puts(out, "]");
        break;
      }
      case OP_MOUNTS: emit_mounts(out, r.text); break;
      default: break;
    }
  }
  if (nlog) { b_puts(out, ",\"log\":["); b_add(out, log.p, log.len); b_puts(out, "]"); }
  xfree(log.p);
  b_puts(out, "}");
#undef TOOL
}

/* W's answers, in the arena; M reads them after W is gone (complete lines only). */
static buf_t world_out;
static size_t world_committed;

static void commit_line(void) { b_puts(&world_out, "\n"); world_committed = world_out.len; }

static void __attribute__((noreturn)) world_fail(const char *what) {
  char msg[512];
  snprintf(msg, sizeof msg, "world: %s: %s", what, errno_name(errno));
  world_out.len = 0;
  b_puts(&world_out, "{\"error\":"); b_json_str(&world_out, msg); b_puts(&world_out, "}");
  commit_line();
  _exit(3);
}

struct world_args { const boot_t *boot; step_t *steps; size_t nsteps; unsigned timeout; };

/* W: build the world, run the steps, one answer line per step (after the boot line). */
static int world_entry(void *arg) {
  const struct world_args *wa = arg;
  const boot_t *boot = wa->boot;
  /* M's memory: start from clean tables (the previous world left its own) */
  in_world = 1;
  arena_used = 0;
  world_out = (buf_t){0};
  world_committed = 0;
  memset(procs, 0, sizeof procs);
  memset(handles, 0, sizeof handles);
  nlabels = 0; next_label = 1; fd_counter = 1; kmsg_fd = -1; pty_sysctl_fd = -1; proc_dir_fd = -1; touched_devtmpfs = 0;
  world_pid = getpid();
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != main_pid) _exit(1);
  alarm(wa->timeout);
  if (unshare(CLONE_NEWNS) < 0) world_fail("unshare(CLONE_NEWNS)");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) world_fail("mount --make-rprivate /");
  if (!use_syslog) {
    kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (kmsg_fd >= 0) lseek(kmsg_fd, 0, SEEK_END);
  }
  /* kernel.pty.* for `sysctl` steps (a guest only): reached through this directory,
   * opened while /proc is still visible, passed to the worker that runs the step */
  pty_sysctl_fd = open("/proc/sys/kernel/pty", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* the host: reads only (parse_step) */
  /* /proc for `unshare` of a user namespace (uid_map) and `mounts` (mountinfo) */
  proc_dir_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const char *at = access("/tmp", F_OK) == 0 ? "/tmp" : "/mnt";
  if (mount("world", at, "tmpfs", 0, "mode=0755,size=16m,nr_inodes=4096") < 0) world_fail("mount tmpfs world");
  if (chdir(at) < 0) world_fail("chdir world");
  /* the classic pivot_root form: on 2.6.39 and 3.4, pivot_root(".", ".") followed by
   * umount2(".", MNT_DETACH) leaves a root on which every later mount(2) is EINVAL */
  if (mkdir(".old", 0700) < 0) world_fail("mkdir .old");
  if (syscall(SYS_pivot_root, ".", ".old") < 0) world_fail("pivot_root");
  if (chdir("/") < 0) world_fail("chdir /");
  if (umount2("/.old", MNT_DETACH) < 0) world_fail("detach old root");
  if (rmdir("/.old") < 0) world_fail("rmdir /.old");
  if (syscall(SYS_setgroups, 0, NULL) < 0) world_fail("setgroups");
  umask(0);
  if (boot->dev_devtmpfs) {
    /* boot dev "devtmpfs": the kernel's one devtmpfs on /dev (ptmx 0666 and the pts
     * directory init made: on the host the machine's; a guest made pts at start) */
    if (mkdir("/dev", 0755) < 0 || mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) < 0) world_fail("boot: mount devtmpfs on /dev");
    touched_devtmpfs = 1;
    struct stat st;
    if (stat("/dev/ptmx", &st) < 0 || !S_ISCHR(st.st_mode) || (st.st_mode & 07777) != 0666 || stat("/dev/pts", &st) < 0 || !S_ISDIR(st.st_mode)) {
      errno = ENOENT; world_fail("boot: devtmpfs has no /dev/ptmx 0666 or no /dev/pts directory");
    }
    if (mkdir("/tmp", 01777) < 0) world_fail("lay out /tmp");
  } else if (mkdir("/dev", 0755) < 0 || mknod("/dev/ptmx", S_IFCHR | (mode_t)boot->ptmx_mode, makedev(5, 2)) < 0 ||
      mkdir("/dev/pts", 0755) < 0 || mkdir("/tmp", 01777) < 0)
    world_fail("lay out /dev and /tmp");
  if (boot->mount_devpts) {
    if (kmsg_fd >= 0) flock(kmsg_fd, LOCK_EX);
    int rc = mount("devpts", "/dev/pts", "devpts", 0, boot->has_options ? boot->options : NULL);
    int e = errno;
    buf_t drop = {0}; int nd = 0;
    read_kmsg(&drop, &nd);
    if (kmsg_fd >= 0) flock(kmsg_fd, LOCK_UN);
    if (rc < 0) { errno = e; world_fail("boot: init's devpts mount on /dev/pts"); }
  }
  /* boot rootPropagation "shared": every boot mount shared, as systemd leaves a system */
  if (boot->root_shared && mount(NULL, "/", NULL, MS_REC | MS_SHARED, NULL) < 0) world_fail("boot: mount --make-rshared /");
  if (start_init_worker() < 0) world_fail("start pid 1");
  b_puts(&world_out, "{\"ok\":true}");
  commit_line();
  for (size_t i = 0; i < wa->nsteps; i++) {
    run_step(&wa->steps[i], &world_out);
    commit_line();
  }
  for (int i = 0; i < MAX_PROCS; i++) if (procs[i].used) { kill(procs[i].os, SIGKILL); reap(&procs[i]); }
  _exit(0);
}

/* ------------------------------------------------------------------ main (M) */

typedef struct { int kind; step_t step; } line_t; /* kind: 's' step, 'x' bad line (message in step.error) */

static void print_line(const char *s) { fputs(s, stdout); fputc('\n', stdout); }

/* ------------------------------------------------------------------ GUEST MODE
 * --guest: the harness is pid 1 of a throw-away QEMU guest (kernel/guest-init.c set up
 * a tmpfs root with /proc and /dev, then exec'd it with the data serial port as stdin
 * and stdout). Being pid 1, it reaps every orphan itself (PR_SET_CHILD_SUBREAPER only
 * exists from 3.4). What differs from the host:
 *  - `sysctl` steps run: kernel.pty.max / reserve are written, any kernel.pty.* read;
 *  - console lines come from syslog(2) where /dev/kmsg cannot be read (before 3.5);
 *  - what outlives a sequence's namespaces is restored to its boot state after every
 *    sequence: the initial (=y) or single (=n) devpts instance - its options, read-only
 *    flag, root directory and ptmx node (mode, owner) - and kernel.pty.max / reserve.
 *    The instance stays mounted at /restore, outside every world; a remount without
 *    data resets its options and its ptmx node's mode (devpts_remount, 2.6.39). Then the
 *    state is compared with the snapshot taken at start (after waiting for the pty
 *    count to come back); where it differs, the end line says why ("restart") and the
 *    guest reboots: the driver runs the remaining sequences in a fresh guest.
 *  - {"quit":true} ends the guest: reboot(RB_AUTOBOOT), which ends QEMU under
 *    -no-reboot. {"debug":"hang"} and {"debug":"panic"} (for tests of the driver) stop
 *    answering, or end pid 1 (a kernel panic).
 * The first line is {"ready":{"release":"...","ptmxNode":true|false,"log":"kmsg"|"syslog"|"none"}}.
 */
typedef struct {
  char opts[512];           /* the instance's options as mountinfo shows them */
  struct stat root, ptmx;
  int has_ptmx;
  long max, reserve, nr;    /* -1: the setting does not exist */
  unsigned long long devtmpfs; /* a digest of the guest's devtmpfs (/dev and /dev/pts: names, modes, owners; read-only) */
} guest_state_t;

static guest_state_t guest_boot;
#define RESTORE_DIR "/restore"

static long read_setting(const char *name) {
  char path[128], t[64];
  snprintf(path, sizeof path, "/proc/sys/kernel/pty/%s", name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, t, sizeof t - 1);
  close(fd);
  if (n <= 0) return -1;
  t[n] = 0;
  return strtol(t, NULL, 10);
}
static int write_setting(const char *name, long value) {
  char path[128], t[64];
  snprintf(path, sizeof path, "/proc/sys/kernel/pty/%s", name);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int n = snprintf(t, sizeof t, "%ld\n", value);
  int rc = write(fd, t, (size_t)n) == n ? 0 : -1;
  close(fd);
  return rc;
}

/* The super options of the mount at /restore (the last field of its mountinfo line). */
static int restore_options(char *out, size_t len) {
  FILE *f = fopen("/proc/self/mountinfo", "r");
  if (!f) return -1;
  char line[1024];
  int found = -1;
  while (fgets(line, sizeof line, f)) {
    char *mp = line;
    for (int i = 0; i < 4 && mp; i++) { mp = strchr(mp, ' '); if (mp) mp++; }
    if (!mp || strncmp(mp, RESTORE_DIR " ", sizeof RESTORE_DIR)) continue;
    char *sep = strstr(line, " - ");
    char *opts = sep ? strrchr(sep, ' ') : NULL;
    if (!opts) break;
    snprintf(out, len, "%s", opts + 1);
    char *nl = strchr(out, '\n');
    if (nl) *nl = 0;
    found = 0;
  }
  fclose(f);
  return found;
}

/* The entries of a directory (names, types, modes, owners, devices): an FNV-1a hash per
 * entry, summed, so that the order readdir gives (which changes when dev_restore makes
 * an entry again) does not count. */
static unsigned long long digest_dir(unsigned long long h, const char *dir) {
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return h ^ 0x9e3779b97f4a7c15ULL;
  char buf[8192];
  for (;;) {
    long got = syscall(SYS_getdents64, dfd, buf, sizeof buf);
    if (got <= 0) break;
    for (long pos = 0; pos < got;) {
      struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + pos);
      pos += e->d_reclen;
      struct stat st;
      if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) memset(&st, 0, sizeof st);
      unsigned long long v[4] = { st.st_mode, st.st_uid, st.st_gid, st.st_rdev };
      unsigned long long he = 0xcbf29ce484222325ULL;
      for (const char *c = e->d_name; *c; c++) he = (he ^ (unsigned char)*c) * 0x100000001b3ULL;
      for (int i = 0; i < 4; i++) he = (he ^ v[i]) * 0x100000001b3ULL;
      h += he;
    }
  }
  close(dfd);
  return h;
}
/* The guest's devtmpfs as it was at boot: every entry below /dev (the kernel's one
 * instance, which a world sees when it mounts devtmpfs or boots with dev "devtmpfs"),
 * depth first, parents before their children. After a sequence wrote into it, the
 * harness puts it back in place (dev_restore) instead of ending the guest: new names go,
 * missing ones are made again (the same type, device, mode and owner: a new inode, which
 * no later sequence can tell apart), changed modes and owners are set back, a read-only
 * superblock is made writable. The digest in the snapshot stays the judge. */
typedef struct { char rel[96]; mode_t mode; uid_t uid; gid_t gid; dev_t rdev; char target[96]; } dev_entry_t;
#define DEV_MAX 1024
static dev_entry_t dev_boot[DEV_MAX];
static int dev_nboot = -1; /* -1: not taken (too many entries, a name too long): a write still ends the guest */

static int dev_scan(const char *rel, int n) {
  char dir[128];
  snprintf(dir, sizeof dir, "/dev%s%s", rel[0] ? "/" : "", rel);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return -1;
  char buf[8192];
  int start = n;
  for (;;) {
    long got = syscall(SYS_getdents64, dfd, buf, sizeof buf);
    if (got < 0) { close(dfd); return -1; }
    if (got == 0) break;
    for (long pos = 0; pos < got;) {
      struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + pos);
      pos += e->d_reclen;
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      if (n >= DEV_MAX) { close(dfd); return -1; }
      dev_entry_t *d = &dev_boot[n];
      memset(d, 0, sizeof *d);
      if ((size_t)snprintf(d->rel, sizeof d->rel, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name) >= sizeof d->rel) { close(dfd); return -1; }
      struct stat st;
      if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) { close(dfd); return -1; }
      d->mode = st.st_mode; d->uid = st.st_uid; d->gid = st.st_gid; d->rdev = st.st_rdev;
      if (S_ISLNK(st.st_mode)) {
        ssize_t l = readlinkat(dfd, e->d_name, d->target, sizeof d->target - 1);
        if (l < 0 || l >= (ssize_t)sizeof d->target - 1) { close(dfd); return -1; }
        d->target[l] = 0;
      }
      n++;
    }
  }
  close(dfd);
  /* then the subdirectories' entries (each after its directory) */
  for (int i = start, end = n; i < end; i++)
    if (S_ISDIR(dev_boot[i].mode) && (n = dev_scan(dev_boot[i].rel, n)) < 0) return -1;
  return n;
}

static const dev_entry_t *dev_boot_entry(const char *rel) {
  for (int i = 0; i < dev_nboot; i++) if (!strcmp(dev_boot[i].rel, rel)) return &dev_boot[i];
  return NULL;
}

/* Remove `name` in `dfd`, a directory with everything in it. */
static void rm_rf_at(int dfd, const char *name) {
  if (unlinkat(dfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM)) return;
  int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub >= 0) {
    char buf[4096];
    /* read from the start again after each batch: removing entries while reading moves them */
    for (int round = 0; round < 256; round++) {
      lseek(sub, 0, SEEK_SET);
      long got = syscall(SYS_getdents64, sub, buf, sizeof buf);
      int removed = 0;
      for (long pos = 0; got > 0 && pos < got;) {
        struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + pos);
        pos += e->d_reclen;
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) { rm_rf_at(sub, e->d_name); removed++; }
      }
      if (got <= 0 || removed == 0) break;
    }
    close(sub);
  }
  unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Remove what is below /dev/<rel> and not as at boot (a name boot did not have, or one of another type or device). */
static void dev_prune(const char *rel) {
  char dir[128];
  snprintf(dir, sizeof dir, "/dev%s%s", rel[0] ? "/" : "", rel);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) return;
  char buf[8192];
  char names[64][96];
  int nn = 0;
  long got;
  while ((got = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
    for (long pos = 0; pos < got;) {
      struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + pos);
      pos += e->d_reclen;
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      char child[200];
      snprintf(child, sizeof child, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
      const dev_entry_t *b = strlen(child) < 96 ? dev_boot_entry(child) : NULL;
      struct stat st;
      int have = fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0;
      int same = b && have && (st.st_mode & S_IFMT) == (b->mode & S_IFMT) && st.st_rdev == b->rdev;
      if (!same) rm_rf_at(dfd, e->d_name);
      else if (S_ISDIR(st.st_mode) && nn < 64) snprintf(names[nn++], sizeof names[0], "%s", child);
    }
  }
  close(dfd);
  for (int i = 0; i < nn; i++) dev_prune(names[i]);
}

static void dev_restore(void) {
  if (dev_nboot < 0) return;
  struct statfs sf;
  if (statfs("/dev", &sf) == 0 && (sf.f_flags & 1 /* ST_RDONLY */)) mount(NULL, "/dev", NULL, MS_REMOUNT, NULL);
  dev_prune("");
  for (int i = 0; i < dev_nboot; i++) {
    const dev_entry_t *b = &dev_boot[i];
    char path[128];
    snprintf(path, sizeof path, "/dev/%s", b->rel);
    struct stat st;
    if (lstat(path, &st) < 0) {
      if (S_ISDIR(b->mode)) mkdir(path, b->mode & 07777);
      else if (S_ISLNK(b->mode)) symlink(b->target, path);
      else if (S_ISREG(b->mode)) { int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, b->mode & 07777); if (fd >= 0) close(fd); }
      else mknod(path, b->mode, b->rdev);
      if (lstat(path, &st) < 0) continue;
    }
    if (st.st_uid != b->uid || st.st_gid != b->gid) lchown(path, b->uid, b->gid);
    if (!S_ISLNK(b->mode) && (st.st_mode & 07777) != (b->mode & 07777)) chmod(path, b->mode & 07777);
  }
}

static unsigned long long devtmpfs_digest(void) {
  struct statfs sf;
  unsigned long long h = 0xcbf29ce484222325ULL;
  h = digest_dir(h, "/dev");
  h = digest_dir(h, "/dev/pts");
  if (statfs("/dev", &sf) == 0) h = (h ^ (unsigned long long)(sf.f_flags & 1 /* ST_RDONLY */)) * 0x100000001b3ULL;
  return h;
}

static int guest_snapshot(guest_state_t *g) {
  memset(g, 0, sizeof *g);
  if (restore_options(g->opts, sizeof g->opts) < 0) return -1;
  if (stat(RESTORE_DIR, &g->root) < 0) return -1;
  g->has_ptmx = stat(RESTORE_DIR "/ptmx", &g->ptmx) == 0;
  g->max = read_setting("max");
  g->reserve = read_setting("reserve");
  g->nr = read_setting("nr");
  g->devtmpfs = devtmpfs_digest();
  return 0;
}

/* kernel.pty.nr: 1 when it counts the ptys that exist; 0 when it only grows (2.6.39:
 * pty_unix98_remove is never called, so every allocation since boot stays counted);
 * -1 until the first index probe has shown which. */
static int nr_counts_down = -1;

static int sleep_ms(long ms) { struct timespec t = { ms / 1000, (ms % 1000) * 1000000 }; return nanosleep(&t, NULL); }

/* The index numbering of the initial (=y) or single (=n) instance is back at its boot
 * state when the next pty it gives is 0: open one through /dev/ptmx (not on devpts, so
 * it allocates there; on 6.x, where that open fails, through /restore/ptmx), read its
 * index, close it. The same open tells whether kernel.pty.nr counts down. */
static int probe_index(char *why, size_t len) {
  long before = read_setting("nr");
  int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 && guest_boot.has_ptmx) fd = open(RESTORE_DIR "/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) { snprintf(why, len, "cannot open a pty to check the index numbering: %s", errno_name(errno)); return -1; }
  unsigned idx = 0;
  int rc = ioctl(fd, TIOCGPTN, &idx);
  long during = read_setting("nr");
  close(fd);
  if (rc < 0) { snprintf(why, len, "TIOCGPTN of the index probe: %s", errno_name(errno)); return -1; }
  if (nr_counts_down < 0 && before >= 0 && during > before) {
    int down = 0;
    for (int i = 0; i < 100 && !down; i++) { down = read_setting("nr") < during; if (!down) sleep_ms(1); }
    nr_counts_down = down;
  }
  if (idx != 0) { snprintf(why, len, "the initial instance would give pty %u next, 0 at boot (a pty outlived its world)", idx); return -1; }
  return 0;
}

/* Where kernel.pty.nr only grows, a sequence that reads it must be the first to open a
 * pty in its guest: null when it can run here, else why not. */
static const char *needs_fresh_guest(const step_t *steps, size_t n) {
  if (nr_counts_down != 0) return NULL;
  /* the count is read relative to the sequence's start (nr_offset): only a count that went
   * down since boot (which 2.6.39 never does) would need a fresh guest */
  long now = read_setting("nr");
  if (now >= guest_boot.nr) { nr_offset = now - guest_boot.nr; return NULL; }
  for (size_t i = 0; i < n; i++)
    if (steps[i].op == OP_SYSCTL && !steps[i].has_value && !strcmp(steps[i].name, "kernel.pty.nr") && read_setting("nr") != guest_boot.nr)
      return "the sequence reads kernel.pty.nr, which this kernel never counts down (earlier sequences raised it): it runs first in a fresh guest";
  return NULL;
}

/* Put back what a sequence may have changed beyond its namespaces; "" when the state is
 * the boot state again, else why not (in `why`). */
static void guest_restore(char *why, size_t len) {
  why[0] = 0;
  const guest_state_t *b = &guest_boot;
  if (b->max >= 0 && write_setting("max", b->max) < 0) { snprintf(why, len, "cannot restore kernel.pty.max: %s", errno_name(errno)); return; }
  if (b->reserve >= 0 && write_setting("reserve", b->reserve) < 0) { snprintf(why, len, "cannot restore kernel.pty.reserve: %s", errno_name(errno)); return; }
  if (mount(NULL, RESTORE_DIR, NULL, MS_REMOUNT, NULL) < 0) { snprintf(why, len, "cannot remount the initial devpts instance: %s", errno_name(errno)); return; }
  if (chmod(RESTORE_DIR, b->root.st_mode & 07777) < 0 || chown(RESTORE_DIR, b->root.st_uid, b->root.st_gid) < 0) {
    snprintf(why, len, "cannot restore the devpts root directory: %s", errno_name(errno)); return;
  }
  if (b->has_ptmx && (chown(RESTORE_DIR "/ptmx", b->ptmx.st_uid, b->ptmx.st_gid) < 0 || chmod(RESTORE_DIR "/ptmx", b->ptmx.st_mode & 07777) < 0)) {
    snprintf(why, len, "cannot restore the ptmx node: %s", errno_name(errno)); return;
  }
  dev_restore();
  if (probe_index(why, len) < 0) return;
  /* ptys of the sequence are released when its last process is gone; on newer kernels
   * part of that is deferred to a work queue: wait (up to 2 s) for the count */
  guest_state_t now;
  for (int i = 0; nr_counts_down == 1 && i < 2000; i++) {
    if (read_setting("nr") == b->nr) break;
    struct timespec ms = { 0, 1000000 };
    nanosleep(&ms, NULL);
  }
  if (guest_snapshot(&now) < 0) { snprintf(why, len, "cannot read the restored state: %s", errno_name(errno)); return; }
  if (nr_counts_down == 1 && now.nr != b->nr) snprintf(why, len, "kernel.pty.nr is %ld after the sequence, %ld at boot (a pty outlived its world)", now.nr, b->nr);
  else if (strcmp(now.opts, b->opts)) snprintf(why, len, "the initial devpts instance shows \"%.200s\", \"%.200s\" at boot", now.opts, b->opts);
  else if (now.root.st_mode != b->root.st_mode || now.root.st_uid != b->root.st_uid || now.root.st_gid != b->root.st_gid)
    snprintf(why, len, "the devpts root directory is not as at boot");
  else if (now.has_ptmx != b->has_ptmx || (b->has_ptmx && (now.ptmx.st_mode != b->ptmx.st_mode || now.ptmx.st_uid != b->ptmx.st_uid || now.ptmx.st_gid != b->ptmx.st_gid)))
    snprintf(why, len, "the initial instance's ptmx node is not as at boot");
  else if (now.max != b->max || now.reserve != b->reserve) snprintf(why, len, "kernel.pty.max/reserve are not as at boot");
  else if (now.devtmpfs != b->devtmpfs) snprintf(why, len, "the devtmpfs (/dev) is not as at boot (a sequence wrote into it)");
}

/* End the guest: everything written reaches the host first. */
static void __attribute__((noreturn)) guest_end(void) {
  fflush(stdout);
  tcdrain(1);
  sync();
  reboot(RB_AUTOBOOT);
  for (;;) pause();
}

/* Guest start-up: the log source, the instance at /restore, the boot snapshot, "ready". */
static void guest_start(void) {
  int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  char rec[8192];
  const char *log = "kmsg";
  if (fd < 0 || (read(fd, rec, sizeof rec) < 0 && errno != EAGAIN)) {
    /* before 3.5 /dev/kmsg is write-only (read: EINVAL): syslog(2), cleared now */
    use_syslog = klogctl(5 /* SYSLOG_ACTION_CLEAR */, NULL, 0) == 0;
    log = use_syslog ? "syslog" : "none";
  }
  if (fd >= 0) close(fd);
  if (mkdir(RESTORE_DIR, 0755) < 0 && errno != EEXIST) { perror("harness: mkdir " RESTORE_DIR); guest_end(); }
  /* the pts directory init makes in devtmpfs (the model's boot dev "devtmpfs") */
  if (mkdir("/dev/pts", 0755) < 0 && errno != EEXIST) { perror("harness: mkdir /dev/pts"); guest_end(); }
  if (mount("devpts", RESTORE_DIR, "devpts", 0, NULL) < 0) { perror("harness: mount devpts " RESTORE_DIR); guest_end(); }
  if (use_syslog) klogctl(5, NULL, 0);
  if (guest_snapshot(&guest_boot) < 0) { perror("harness: boot snapshot"); guest_end(); }
  dev_nboot = dev_scan("", 0);
  /* the instance at /restore: the initial (=y) or single (=n) one; on 4.7+ its own (never mounted by a world) */
  initial_devpts_dev = guest_boot.root.st_dev;
  struct utsname u;
  if (uname(&u) < 0) snprintf(u.release, sizeof u.release, "unknown");
  buf_t b = {0};
  b_puts(&b, "{\"ready\":{\"release\":"); b_json_str(&b, u.release);
  b_printf(&b, ",\"ptmxNode\":%s,\"log\":\"%s\"}}", guest_boot.has_ptmx ? "true" : "false", log);
  print_line(b.p);
  fflush(stdout);
  xfree(b.p);
}

#define WORLD_STACK (1024 * 1024)
static char *world_stack;

/*
 * One sequence, one world. W is clone(CLONE_VM | CLONE_VFORK): it runs in M's address
 * space on a stack of its own while M sleeps until it has exited - no page tables to
 * copy, no copy-on-write faults (fork made up most of the harness's time on a
 * paravirtualized machine). W's fd table, fs root, creds and namespaces are its own.
 */
static void run_sequence(const boot_t *boot, line_t *lines, size_t n, unsigned timeout) {
  step_t *steps = xmalloc((n + 1) * sizeof *steps);
  size_t ns = 0;
  for (size_t i = 0; i < n; i++) steps[ns++] = lines[i].step;
  buf_t got = {0};
  size_t nlines = 0;
  int status = 0;
  const char *fresh = guest ? needs_fresh_guest(steps, ns) : NULL;
  if (fresh) {
    buf_t b = {0};
    b_puts(&b, "{\"rerun\":"); b_json_str(&b, fresh); b_puts(&b, "}");
    print_line(b.p);
    guest_end();
  }
  if (boot->error) {
    b_puts(&got, "{\"error\":"); b_json_str(&got, boot->error); b_puts(&got, "}\n");
    nlines = 1;
  } else {
    struct world_args wa = { boot, steps, ns, timeout };
    world_committed = 0;
    fflush(stdout);
    int w = clone(world_entry, world_stack + WORLD_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &wa);
    if (w < 0) { perror("harness: clone"); exit(70); }
    while (waitpid(w, &status, __WALL) < 0 && errno == EINTR) {}
    in_world = 0;
    /* workers that outlived a dying world were reparented to us (child subreaper) with
     * SIGKILL from PDEATHSIG: wait for every one before the next world reuses stacks */
    for (;;) {
      pid_t c = waitpid(-1, NULL, __WALL);
      if (c < 0 && errno == EINTR) continue;
      if (c < 0) break;
    }
    if (world_committed > 0) b_add(&got, world_out.p, world_committed); /* copy out of the arena */
    for (size_t i = 0; i < got.len; i++) if (got.p[i] == '\n') nlines++;
  }
  fputs(got.p ? got.p : "", stdout);
  /* a world that died (timeout, crash) or could not be built: the rest answers an error */
  char why[256];
  if (nlines == 0) snprintf(why, sizeof why, "world: did not start");
  else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) snprintf(why, sizeof why, "harness: the sequence ran out of time (%u s)", timeout);
  else if (WIFSIGNALED(status)) snprintf(why, sizeof why, "harness: the world died (signal %d)", WTERMSIG(status));
  else if (boot->error || (got.p && !strncmp(got.p, "{\"error\"", 8))) snprintf(why, sizeof why, "boot failed");
  else snprintf(why, sizeof why, "harness: the world ended early (status %d)", WEXITSTATUS(status));
  if (nlines == 0) { print_line("{\"error\":\"world: did not start\"}"); nlines = 1; }
  for (size_t i = nlines - 1; i < ns; i++) {
    buf_t b = {0};
    b_puts(&b, "{\"error\":"); b_json_str(&b, why); b_puts(&b, "}");
    print_line(b.p); xfree(b.p);
  }
  /* a guest puts back what outlives the world; when it cannot, it says why and ends */
  char restart[640] = "";
  if (guest) guest_restore(restart, sizeof restart);
  if (restart[0]) {
    buf_t b = {0};
    b_puts(&b, "{\"end\":true,\"restart\":"); b_json_str(&b, restart); b_puts(&b, "}");
    print_line(b.p); xfree(b.p);
  } else {
    print_line("{\"end\":true}");
  }
  fflush(stdout);
  xfree(got.p);
  xfree(steps);
  if (restart[0]) guest_end();
}

/* The st_dev of the kernel's devtmpfs, from a mount of it M can see (0: none). */
static void find_devtmpfs(void) {
  FILE *f = fopen("/proc/self/mountinfo", "r");
  if (!f) return;
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    char *sep = strstr(line, " - ");
    unsigned ma, mi;
    if (!sep || strncmp(sep + 3, "devtmpfs ", 9)) continue;
    char root[256], mp[256];
    struct stat st;
    if (sscanf(line, "%*d %*d %u:%u %255s %255s", &ma, &mi, root, mp) != 4) continue;
    devtmpfs_dev = (unsigned long long)makedev(ma, mi);
    if (!strcmp(root, "/") && stat(mp, &st) == 0 && st.st_dev == devtmpfs_dev) devtmpfs_root_ino = st.st_ino;
    break;
  }
  fclose(f);
}

static void read_known_filesystems(void) {
  FILE *f = fopen("/proc/filesystems", "r");
  if (!f) return;
  buf_t b = {0};
  char line[256];
  while (fgets(line, sizeof line, f)) {
    char *name = strchr(line, '\t');
    if (!name) continue;
    b_puts(&b, name); /* "\tname\n" */
  }
  fclose(f);
  known_filesystems = b.p;
}

int main(int argc, char **argv) {
  unsigned timeout = 20;
  const char *preload = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--timeout") && i + 1 < argc) timeout = (unsigned)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--guest")) guest = 1;
    else if (!strcmp(argv[i], "--preload") && i + 1 < argc) preload = argv[++i];
    else if (!strcmp(argv[i], "--")) continue; /* 2.6.39 and 3.4 pass the kernel command line's "--" on to init */
    else { fprintf(stderr, "usage: %s [--timeout SECONDS] [--guest [--preload FILE]] < sequences.jsonl (not: \"%s\")\n", argv[0], argv[i]); return 2; }
  }
  if (timeout == 0) timeout = 20;
  main_pid = getpid();
  /* guest mode writes kernel.pty.* and remounts the initial devpts instance: only ever as
   * pid 1, i.e. the init of a throw-away guest, never on the host */
  if (guest && main_pid != 1) { fprintf(stderr, "harness: --guest runs only as the init (pid 1) of a QEMU guest\n"); return 2; }
  if (!guest) prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_CHILD_SUBREAPER, 1); /* 3.4+; a guest's harness is pid 1, the reaper anyway */
  signal(SIGPIPE, SIG_IGN);
  read_known_filesystems();
  find_devtmpfs();
  arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  world_stack = mmap(NULL, WORLD_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (arena == MAP_FAILED || world_stack == MAP_FAILED) { perror("harness: mmap"); return 70; }
  if (guest) guest_start();
  /* --preload FILE (a guest): sequences the initramfs brought, read before the data port
   * (input over the serial port costs ~10 us a byte under TCG; the initramfs is free) */
  FILE *input = stdin;
  if (preload && guest) {
    input = fopen(preload, "r");
    if (!input) { perror("harness: --preload"); input = stdin; }
  }
  char *text = NULL; size_t cap = 0;
  int in_seq = 0;
  boot_t boot = {0};
  line_t *lines = NULL; size_t n = 0, lcap = 0;
  for (;;) {
    ssize_t len = getline(&text, &cap, input);
    if (len < 0 && input != stdin) { fclose(input); input = stdin; continue; } /* preloaded sequences done */
    int eof = len < 0;
    if (!eof && len > 0 && text[len - 1] == '\n') text[--len] = 0;
    if (!eof && len == 0) continue; /* blank lines are ignored */
    jval v; const char *err = NULL;
    int ok = !eof && j_parse(text, (size_t)len, &v, &err) == 0;
    int is_quit = ok && v.t == J_OBJ && j_get(&v, "quit") && !j_get(&v, "op");
    if (is_quit) { j_free(&v); ok = 0; eof = 1; } /* like the end of input */
    int is_end = eof || (ok && v.t == J_OBJ && j_get(&v, "end"));
    int is_boot = ok && v.t == J_OBJ && j_get(&v, "boot") && !j_get(&v, "op");
    if (is_end || is_boot) {
      if (in_seq) {
        run_sequence(&boot, lines, n, timeout);
        for (size_t i = 0; i < n; i++) free_step(&lines[i].step);
        n = 0; xfree(boot.options); xfree(boot.error); memset(&boot, 0, sizeof boot);
        in_seq = 0;
      } else if (is_end && !eof) {
        print_line("{\"error\":\"\\\"end\\\" outside a sequence\"}");
      }
      if (is_boot) {
        parse_boot(j_get(&v, "boot"), &boot);
        in_seq = 1;
      }
      if (ok) j_free(&v);
      if (eof) break;
      continue;
    }
    if (n == lcap) { lcap = lcap ? lcap * 2 : 64; line_t *nl = xmalloc(lcap * sizeof *nl); if (lines) memcpy(nl, lines, n * sizeof *nl); xfree(lines); lines = nl; }
    line_t *l = &lines[n];
    memset(l, 0, sizeof *l);
    jval *debug = ok && v.t == J_OBJ && !in_seq && guest && !j_get(&v, "op") ? j_get(&v, "debug") : NULL;
    if (debug && debug->t == J_STR && !strcmp(debug->s, "hang")) { fflush(stdout); for (;;) pause(); }
    if (debug && debug->t == J_STR && !strcmp(debug->s, "panic")) { fflush(stdout); tcdrain(1); _exit(1); }
    if (!ok) { l->kind = 'x'; l->step.error = fmt_err("bad JSON: %s%s", err ? err : "parse error", NULL); }
    else if (v.t != J_OBJ) { l->kind = 'x'; l->step.error = xstrdup("a step must be a JSON object"); }
    else { l->kind = 's'; parse_step(&v, &l->step); }
    if (ok) j_free(&v);
    if (!in_seq) { /* a step outside a sequence: answered at once */
      buf_t b = {0};
      b_puts(&b, "{\"error\":");
      b_json_str(&b, l->step.op ? "step outside a sequence (send a {\"boot\":{}} line first)" : l->step.error);
      b_puts(&b, "}");
      print_line(b.p); xfree(b.p); fflush(stdout);
      free_step(&l->step);
      continue;
    }
    n++;
  }
  xfree(text); xfree(lines);
  if (guest) guest_end();
  return 0;
}
