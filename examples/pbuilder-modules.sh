#!/bin/bash
# A function library in the style of pbuilder's pbuilder-modules: nothing runs at the top
# level; the build calls mountproc, runs the build in the chroot, then umountproc.
# Checked with: --call build --rootfs /var/cache/pbuilder/build/1234
#   --env BUILDPLACE=/var/cache/pbuilder/build/1234

log() { echo "I: $*"; }

function mountproc() {
    local -a mounts
    log "mounting /proc filesystem"
    mkdir -p "$BUILDPLACE/proc"
    mount -t proc /proc "$BUILDPLACE/proc"
    mounts+=("/proc")
    log "mounting /dev/pts filesystem"
    mkdir -p "$BUILDPLACE/dev/pts" || true
    TTYGRP=5
    TTYMODE=620
    [ -f /etc/default/devpts ] && . /etc/default/devpts
    mount -t devpts /dev/pts "$BUILDPLACE/dev/pts" -o newinstance,noexec,nosuid,gid=$TTYGRP,mode=$TTYMODE,ptmxmode=0666
    mounts+=("/dev/pts")
    # the chroot's /dev/ptmx must reach its own instance (document note 5)
    if [ -e "$BUILDPLACE/dev/pts/ptmx" ] && ! [ -L "$BUILDPLACE/dev/ptmx" ]; then
        mount --bind "$BUILDPLACE/dev/pts/ptmx" "$BUILDPLACE/dev/ptmx"
        mounts+=("/dev/ptmx")
    fi
    MOUNTS=("${mounts[@]}")
}

function umountproc() {
    local m i
    for (( i=${#MOUNTS[@]}-1; i>=0; i-- )); do
        m=${MOUNTS[$i]}
        log "unmounting $m"
        umount "$BUILDPLACE$m"
    done
}

function executeinchroot() {
    chroot "$BUILDPLACE" "$@"
}

function build() {
    mountproc
    executeinchroot /bin/sh -c 'ls /dev/pts > /dev/null'
    umountproc
}
