#!/bin/sh
# Documentation/filesystems/devpts.txt (2.6.39), "User-space changes", note 4: what
# container start-up scripts "should use". The three commands after `unshare -m` are
# the document's, verbatim; they run inside the container, so the script starts one
# (`unshare -m` without a command: the rest of the script runs in a new mount namespace).

unshare -m

mount -t devpts -o newinstance -o ptmxmode=0666 devpts /dev/pts
if [ ! -L /dev/ptmx ]; then
	mount -o bind /dev/pts/ptmx /dev/ptmx
fi
