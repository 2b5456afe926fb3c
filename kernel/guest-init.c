/*
 * devpts-check guest init: /init of the initramfs that kernel/initramfs.ts writes for a
 * QEMU guest (kernel/qemu.ts). Static, musl, no shell: the guest holds only this and the
 * harness (kernel/harness.c, built with musl too).
 *
 * 1. devtmpfs on /dev (for /dev/ttyS1 and /dev/kmsg; the initramfs holds only
 *    /dev/console), then a tmpfs root: pivot_root(2) is EINVAL while the root is the
 *    initramfs (rootfs), and the harness's worlds pivot_root, so - as switch_root does -
 *    a tmpfs is mounted, /dev moved into it, proc mounted in it, the harness copied into
 *    it, and it is MS_MOVEd onto / and chroot'ed into.
 * 2. The data channel: the second serial port (/dev/ttyS1), raw (no echo, no line
 *    editing, no CR/NL translation), becomes stdin and stdout. The console (ttyS0)
 *    keeps the kernel's messages and stderr: it can drop lines, the data port does not.
 * 3. exec the harness as pid 1 (`--guest` plus this program's own arguments, which
 *    the kernel takes from the command line after "--"). It answers the sequences
 *    of /batch.jsonl first, when the host appended one to the initramfs (input over the
 *    serial port is slow under TCG), then those the host writes, and reboots the guest
 *    when told to quit.
 * Any failure: one line on the console, then reboot (QEMU runs with -no-reboot, so it
 * ends; the driver reports the line).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static void fail(const char *what) {
  char msg[256];
  int n = snprintf(msg, sizeof msg, "devpts-check guest init: %s: %s\n", what, strerror(errno));
  int fd = open("/dev/console", O_WRONLY | O_NOCTTY);
  if (fd >= 0 && n > 0) { if (write(fd, msg, (size_t)n) < 0) {} tcdrain(fd); }
  sync();
  reboot(RB_AUTOBOOT);
  _exit(1);
}

static void copy_file(const char *from, const char *to) {
  int in = open(from, O_RDONLY);
  if (in < 0) fail("open the harness");
  int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
  if (out < 0) fail("create the harness in the new root");
  char buf[65536];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0) fail("read the harness");
    if (n == 0) break;
    if (write(out, buf, (size_t)n) != n) fail("write the harness");
  }
  close(in);
  close(out);
}

int main(int argc, char **argv) {
  umask(022);
  if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) < 0) fail("mount devtmpfs on /dev");
  if (mkdir("/newroot", 0755) < 0 && errno != EEXIST) fail("mkdir /newroot");
  if (mount("root", "/newroot", "tmpfs", 0, "mode=0755") < 0) fail("mount the tmpfs root");
  if (mkdir("/newroot/dev", 0755) < 0 || mkdir("/newroot/proc", 0555) < 0 || mkdir("/newroot/tmp", 01777) < 0)
    fail("lay out the new root");
  copy_file("/harness", "/newroot/harness");
  /* sequences the host packed into the initramfs (a second cpio archive appended to
   * the first): the harness answers them before it reads the data port */
  int preload = access("/batch.jsonl", F_OK) == 0;
  if (preload) copy_file("/batch.jsonl", "/newroot/batch.jsonl");
  if (mount("/dev", "/newroot/dev", NULL, MS_MOVE, NULL) < 0) fail("move /dev");
  if (mount("proc", "/newroot/proc", "proc", 0, NULL) < 0) fail("mount proc");
  if (chdir("/newroot") < 0) fail("chdir /newroot");
  if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) fail("move the new root onto /");
  if (chroot(".") < 0) fail("chroot");
  if (chdir("/") < 0) fail("chdir /");

  int data = open("/dev/ttyS1", O_RDWR | O_NOCTTY);
  if (data < 0) fail("open /dev/ttyS1 (the data port)");
  struct termios t;
  if (tcgetattr(data, &t) < 0) fail("tcgetattr /dev/ttyS1");
  cfmakeraw(&t);
  cfsetispeed(&t, B115200);
  cfsetospeed(&t, B115200);
  if (tcsetattr(data, TCSANOW, &t) < 0) fail("tcsetattr /dev/ttyS1");
  int console = open("/dev/console", O_WRONLY | O_NOCTTY);
  if (dup2(data, 0) < 0 || dup2(data, 1) < 0 || (console >= 0 && dup2(console, 2) < 0)) fail("dup2");
  if (data > 2) close(data);
  if (console > 2) close(console);

  char *args[64];
  int n = 0;
  args[n++] = "/harness";
  args[n++] = "--guest";
  if (preload) { args[n++] = "--preload"; args[n++] = "/batch.jsonl"; }
  for (int i = 1; i < argc && n < 63; i++) args[n++] = argv[i];
  args[n] = NULL;
  execv("/harness", args);
  fail("exec the harness");
  return 1;
}
