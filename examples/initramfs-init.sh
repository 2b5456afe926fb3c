#!/bin/sh
# The /init of an initramfs, cut down from what initramfs-tools and dracut write: mount
# the pseudo-filesystems, devtmpfs on /dev and devpts on /dev/pts, mount the real root,
# move /dev into it and hand over to its init.
# Checked with: --role host --boot none

[ -d /dev ] || mkdir -m 0755 /dev
[ -d /root ] || mkdir -m 0700 /root
[ -d /sys ] || mkdir /sys
[ -d /proc ] || mkdir /proc
mkdir -p /var/lock
mount -t sysfs -o nodev,noexec,nosuid sysfs /sys
mount -t proc -o nodev,noexec,nosuid proc /proc

# devtmpfs: the kernel's own /dev, with ptmx, null, zero, tty and console in it
mount -t devtmpfs -o nosuid,mode=0755 udev /dev
mkdir /dev/pts
mount -t devpts -o noexec,nosuid,gid=5,mode=0620 devpts /dev/pts || true

# the real root (a tmpfs here: the model has no block devices)
rootmnt=/root
mount -t tmpfs -o mode=0755 root "$rootmnt"
mkdir -p "$rootmnt/dev" "$rootmnt/proc" "$rootmnt/sys" "$rootmnt/sbin"

# /dev goes along, with the devpts mount on it (a move takes the mounts below)
mount -n -o move /dev "$rootmnt/dev"
mount -n -o move /sys "$rootmnt/sys"
mount -n -o move /proc "$rootmnt/proc"

exec switch_root "$rootmnt" /sbin/init
