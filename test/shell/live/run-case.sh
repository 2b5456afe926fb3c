#!/bin/bash
# One script of the checker's collection on the live kernel (test/shell/live.test.ts):
# run it, inside a private mount namespace only (unshare -m --propagation private), on a
# rootfs in a fresh tmpfs, with the pty probe as the command its chroot runs. Prints the
# probe's JSON line, the host's /dev/pts st_dev, and whether the namespace's mount table
# is as before. Nothing outside the private namespace is mounted, and no write goes into
# /dev: every path the scripts touch is under the tmpfs.
# Usage: run-case.sh PROBE ROOTVAR SCRIPT [ARGS...]   (ROOTVAR: the rootfs path goes there, as {ROOT})
set -euo pipefail
probe=$1; shift
base=$(mktemp -d /tmp/devpts-live.XXXXXX)
trap 'umount -R "$base" 2>/dev/null || true; rmdir "$base" 2>/dev/null || true' EXIT
mount -t tmpfs -o mode=0755 tmpfs "$base"
R=$base/root
mkdir -p "$R"/{bin,dev/pts,etc,lib,proc,root,run,sbin,sys,tmp,usr/bin,var}
# umount, with its libraries, for a script that runs it after pivot_root
copy() { mkdir -p "$R$(dirname "$1")"; cp -L "$1" "$R$1"; }
u=$(command -v umount)
copy "$u"
ln -s "$u" "$R/bin/umount"
for l in $(ldd "$u" | grep -o '/[^ ]*'); do copy "$l"; done
mknod -m 666 "$R/dev/ptmx" c 5 2
mknod -m 666 "$R/dev/null" c 1 3
mknod -m 666 "$R/dev/zero" c 1 5
mknod -m 666 "$R/dev/tty" c 5 0
mknod -m 600 "$R/dev/console" c 5 1
cp "$probe" "$R/bin/probe"
hostpts=$(stat -c %d /dev/pts)
before=$(awk '{print $5}' /proc/self/mountinfo | sort)
args=()
for a in "$@"; do args+=("${a//\{ROOT\}/$R}"); done
out=$(ROOT="$R" CHROOT="$R" BUILDPLACE="$R" ROOTFS="$R" "${args[@]}" 2>/dev/null | grep '^{"root"' || true)
after=$(awk '{print $5}' /proc/self/mountinfo | sort)
[ "$before" = "$after" ] && same=true || same=false
[ -n "$out" ] || out='{"root":"none","user":"none","pts":0,"instance":0}'
printf '%s\n{"hostpts":%s,"mountsAsBefore":%s}\n' "$out" "$hostpts" "$same"
