#!/bin/sh
# Documentation/filesystems/devpts.txt (2.6.39): the container start-up example.
# The first three commands run on the host; `ns_exec -cm /bin/bash` starts a shell
# in a new mount namespace, and the rest of the script runs in that container.

chmod 0666 /dev/pts/ptmx
rm /dev/ptmx
ln -s pts/ptmx /dev/ptmx
ns_exec -cm /bin/bash

# We are now in new container

umount /dev/pts
mount -t devpts -o newinstance lxcpts /dev/pts
sshd -p 1234
