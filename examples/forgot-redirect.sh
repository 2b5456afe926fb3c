#!/bin/sh
# A container start-up script that mounts a new devpts instance but forgets to
# redirect /dev/ptmx to /dev/pts/ptmx (document note 5): the pty sshd opens through
# /dev/ptmx is allocated somewhere the container's /dev/pts does not show.

unshare -m
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
/usr/sbin/sshd
