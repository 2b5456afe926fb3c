/*
 * pty-probe: what a process in a chroot gets from /dev/ptmx, for the script checker's
 * live comparison (test/shell/live.test.ts). Built static (musl-gcc), copied into the
 * rootfs, run as the script's payload. Prints one JSON line:
 *   {"root": R, "user": U, "pts": DEV, "instance": DEV}
 * R and U: "yes" (a pty whose number /dev/pts lists and whose slave opens), or the
 * errno name / "unlisted" / "slave:ERRNO"; U as uid and gid 1000. pts: st_dev of
 * /dev/pts; instance: st_dev of the slave of root's pty (TIOCGPTPEER), or 0.
 * Nothing is changed: every fd is closed before it exits.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* musl has no strerrorname_np: the errnos an open of a ptmx or a slave gives. */
static const char *errname(int e) {
  switch (e) {
    case ENOENT: return "ENOENT"; case EACCES: return "EACCES"; case ENODEV: return "ENODEV"; case EIO: return "EIO";
    case EPERM: return "EPERM"; case EINVAL: return "EINVAL"; case ENXIO: return "ENXIO"; case ENOSPC: return "ENOSPC";
    case ENOTTY: return "ENOTTY"; case ELOOP: return "ELOOP"; default: return "E?";
  }
}

static int listed(int n) {
  char want[16];
  snprintf(want, sizeof want, "%d", n);
  DIR *d = opendir("/dev/pts");
  if (!d) return 0;
  struct dirent *e;
  int found = 0;
  while ((e = readdir(d)) != NULL) if (strcmp(e->d_name, want) == 0) found = 1;
  closedir(d);
  return found;
}

/* Try once; write the outcome into out, and the instance's st_dev into dev. */
static void attempt(char *out, size_t size, unsigned long long *dev) {
  int m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
  if (m < 0) { snprintf(out, size, "%s", errname(errno)); return; }
  int n = -1, unlock = 0;
  if (ioctl(m, TIOCGPTN, &n) < 0 || ioctl(m, TIOCSPTLCK, &unlock) < 0) { snprintf(out, size, "ioctl:%s", errname(errno)); close(m); return; }
  int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (peer >= 0) {
    struct stat st;
    if (fstat(peer, &st) == 0 && dev) *dev = (unsigned long long)st.st_dev;
    close(peer);
  }
  if (!listed(n)) { snprintf(out, size, "unlisted"); close(m); return; }
  char path[32];
  snprintf(path, sizeof path, "/dev/pts/%d", n);
  int s = open(path, O_RDWR | O_NOCTTY);
  if (s < 0) snprintf(out, size, "slave:%s", errname(errno));
  else { snprintf(out, size, "yes"); close(s); }
  close(m);
}

int main(void) {
  char root[64] = "", user[64] = "";
  unsigned long long instance = 0;
  attempt(root, sizeof root, &instance);
  int p[2];
  if (pipe(p) < 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    close(p[0]);
    char buf[64];
    if (setgid(1000) < 0 || setuid(1000) < 0) snprintf(buf, sizeof buf, "setuid:%s", errname(errno));
    else attempt(buf, sizeof buf, NULL);
    if (write(p[1], buf, strlen(buf)) < 0) _exit(1);
    _exit(0);
  }
  close(p[1]);
  ssize_t k = read(p[0], user, sizeof user - 1);
  if (k > 0) user[k] = 0;
  waitpid(child, NULL, 0);
  struct stat pts;
  unsigned long long ptsdev = stat("/dev/pts", &pts) == 0 ? (unsigned long long)pts.st_dev : 0;
  printf("{\"root\":\"%s\",\"user\":\"%s\",\"pts\":%llu,\"instance\":%llu}\n", root, user, ptsdev, instance);
  return 0;
}
