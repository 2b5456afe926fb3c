#!/bin/sh
# The way LXC sets up a container's ptys: a new instance with usable modes, and
# /dev/ptmx as a symlink to pts/ptmx, inside a new mount namespace. This script does
# not give the container its own /dev, so the symlink replaces the host's /dev/ptmx.

unshare -m
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts
ln -sf pts/ptmx /dev/ptmx
