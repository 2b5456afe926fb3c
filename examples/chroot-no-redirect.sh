#!/bin/sh
# The same chroot helper without the /dev/ptmx redirect: a devpts instance of its own,
# and the rootfs's static ptmx node left as it is. Usage: chroot-no-redirect.sh ROOT CMD...
# Checked with: --rootfs /srv/chroot -- /srv/chroot apt-get update
set -e
ROOT=$1
shift

cleanup() {
	umount "$ROOT/dev/pts" 2>/dev/null || true
	umount "$ROOT/proc" 2>/dev/null || true
}
trap cleanup EXIT

mount -t proc proc "$ROOT/proc"
mkdir -p "$ROOT/dev/pts"
mount -t devpts -o newinstance,ptmxmode=0666,gid=5,mode=620 devpts "$ROOT/dev/pts"

chroot "$ROOT" "$@"
