#!/bin/sh
# Run a command in a chroot made earlier (debootstrap, a rootfs tarball), with a devpts
# instance of its own and /dev/ptmx redirected to it. Usage: chroot-helper.sh ROOT CMD...
# Checked with: --rootfs /srv/chroot -- /srv/chroot apt-get update
set -e
ROOT=$1
shift

cleanup() {
	umount "$ROOT/dev/ptmx" 2>/dev/null || true
	umount "$ROOT/dev/pts" 2>/dev/null || true
	umount "$ROOT/proc" 2>/dev/null || true
}
trap cleanup EXIT

mount -t proc proc "$ROOT/proc"
mkdir -p "$ROOT/dev/pts"
mount -t devpts -o newinstance,ptmxmode=0666,gid=5,mode=620 devpts "$ROOT/dev/pts"
# the redirect: the rootfs's static ptmx node would allocate in the host's instance on
# kernels before 4.7 (document note 5)
mount --bind "$ROOT/dev/pts/ptmx" "$ROOT/dev/ptmx"

chroot "$ROOT" "$@"
