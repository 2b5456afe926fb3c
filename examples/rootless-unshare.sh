#!/bin/sh
# A rootless chroot wrapper: a user namespace (root inside mapped to the caller), mount and
# pid namespaces of its own (proc can only be mounted for a pid namespace the user
# namespace owns: unshare mounts it), a devpts instance for the chroot and /dev/ptmx bound to it.
# Usage: rootless-unshare.sh ROOTFS CMD...
# Checked with: --rootfs /home/builder/rootfs -- /home/builder/rootfs ls /dev/pts

ROOTFS=${1:?usage: rootless-unshare.sh ROOTFS CMD...}
shift

exec unshare --user --map-root-user --mount --propagation private --pid --fork --mount-proc="$ROOTFS/proc" sh -e -c '
	root=$0
	# no gid=: group 5 has no mapping in the new user namespace
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
	mount --bind "$root/dev/pts/ptmx" "$root/dev/ptmx"
	exec chroot "$root" "$@"
' "$ROOTFS" "$@"
