#!/bin/sh
# lxc-style.sh done with a private /dev: a tmpfs on the container's /dev first, so
# the /dev/ptmx symlink and the devpts mount stay in the container.

unshare -m
mount -t tmpfs -o mode=0755 tmpfs /dev
mkdir /dev/pts
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts
ln -s pts/ptmx /dev/ptmx
