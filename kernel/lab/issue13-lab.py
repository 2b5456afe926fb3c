#!/usr/bin/env python3
# Issue 13's live-kernel lab (kernel/live-observations-issue13.md). Run as root: every
# scenario forks, unshares a private mount namespace, pivots into a fresh tmpfs laid out
# like kernel/harness.c's world (/dev/ptmx c 5:2, /dev/pts devpts, /tmp 1777, umask 0;
# plus /proc to read mountinfo) and prints each call's result. Nothing of the host is
# reachable from a scenario; devtmpfs is only mounted and read, never written.
#   sudo python3 kernel/lab/issue13-lab.py > observations.txt
# Live-kernel lab for issue 13: every scenario runs in a forked child, in a private
# mount namespace whose root is a fresh tmpfs (pivot_root), like kernel/harness.c.
import ctypes, ctypes.util, os, sys, errno, fcntl, struct, traceback
libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
MS_RDONLY=1; MS_NOSUID=2; MS_NODEV=4; MS_NOEXEC=8; MS_SYNCHRONOUS=16; MS_REMOUNT=32; MS_MANDLOCK=64
MS_DIRSYNC=128; MS_BIND=4096; MS_MOVE=8192; MS_REC=16384; MS_SILENT=32768
MS_UNBINDABLE=1<<17; MS_PRIVATE=1<<18; MS_SLAVE=1<<19; MS_SHARED=1<<20; MS_LAZYTIME=1<<25
CLONE_NEWNS=0x20000; CLONE_NEWUSER=0x10000000
MNT_DETACH=2
TIOCGPTN=0x80045430; TIOCSPTLCK=0x40045431; TIOCGPTPEER=0x5441
def en(e): return errno.errorcode.get(e, str(e))
def _c(r, what):
    if r < 0:
        e = ctypes.get_errno(); raise OSError(e, what)
    return r
def b(s): return None if s is None else (s.encode() if isinstance(s,str) else s)
def mount(src, tgt, fstype, flags=0, data=None):
    d = b(data)
    return _c(libc.mount(b(src), b(tgt), b(fstype), flags, ctypes.c_char_p(d) if d is not None else None), 'mount')
def umount2(t, f=0): return _c(libc.umount2(b(t), f), 'umount2')
def unshare(f): return _c(libc.unshare(f), 'unshare')
def pivot_root(n, o): return _c(libc.syscall(155, b(n), b(o)), 'pivot_root')
def R(label, fn, *a, **k):
    try:
        v = fn(*a, **k)
        print(f'  {label}: ok' + ('' if v is None or isinstance(v,int) and v == 0 else f' {v}'))
        return v
    except OSError as e:
        print(f'  {label}: {en(e.errno)}')
        return None
def st(p, follow=True):
    s = os.stat(p) if follow else os.lstat(p)
    import stat as S
    t = 'dir' if S.S_ISDIR(s.st_mode) else 'chr' if S.S_ISCHR(s.st_mode) else 'reg' if S.S_ISREG(s.st_mode) else 'lnk' if S.S_ISLNK(s.st_mode) else '?'
    rd = f' rdev={os.major(s.st_rdev)}:{os.minor(s.st_rdev)}' if t=='chr' else ''
    return f'{t} {oct(s.st_mode & 0o7777)} {s.st_uid}:{s.st_gid} dev={os.major(s.st_dev)}:{os.minor(s.st_dev)} ino={s.st_ino}{rd}'
def fst(fd):
    s = os.fstat(fd); import stat as S
    return f'{oct(s.st_mode)} {s.st_uid}:{s.st_gid} dev={os.major(s.st_dev)}:{os.minor(s.st_dev)} ino={s.st_ino} rdev={os.major(s.st_rdev)}:{os.minor(s.st_rdev)} nlink={s.st_nlink}'
def ptn(fd):
    buf = ctypes.c_uint(0); _c(libc.ioctl(fd, TIOCGPTN, ctypes.byref(buf)), 'ioctl'); return buf.value
def unlock(fd):
    z = ctypes.c_int(0); return _c(libc.ioctl(fd, TIOCSPTLCK, ctypes.byref(z)), 'ioctl')
def peer(fd): return _c(libc.ioctl(fd, TIOCGPTPEER, os.O_RDWR|os.O_NOCTTY), 'ioctl')
def opn(p, flags=os.O_RDWR|os.O_NOCTTY): return os.open(p, flags)
def mi():
    return [l.split(' - ')[0].split()[4] + ' ' + l.split(' - ')[1].split()[0] + ' ' + l.split()[5]+ ' ' + ' '.join(x for x in l.split(' - ')[0].split()[6:]) + ' | ' + l.split(' - ')[1].split()[2] for l in open('/proc/self/mountinfo').read().splitlines()]
def world(devpts_opts=''):
    """Private ns, tmpfs root via pivot_root, /dev/ptmx c5:2, /dev/pts devpts, /tmp."""
    global KMSG
    KMSG = os.open('/dev/kmsg', os.O_RDONLY|os.O_NONBLOCK)
    unshare(CLONE_NEWNS)
    mount(None, '/', None, MS_REC|MS_PRIVATE)
    os.makedirs('/tmp/devpts-check-lab-root', exist_ok=True)
    mount('w', '/tmp/devpts-check-lab-root', 'tmpfs', 0, 'mode=0755')
    os.chdir('/tmp/devpts-check-lab-root')
    pivot_root('.', '.')
    umount2('.', MNT_DETACH)
    os.chdir('/')
    os.umask(0)
    os.mkdir('/dev', 0o755); os.mknod('/dev/ptmx', 0o20666, os.makedev(5,2)); os.mkdir('/dev/pts', 0o755); os.mkdir('/tmp', 0o1777)
    mount('devpts', '/dev/pts', 'devpts', 0, devpts_opts)
    os.mkdir('/proc', 0o555); mount('proc', '/proc', 'proc', MS_NOSUID|MS_NODEV|MS_NOEXEC)
def scenario(name, fn):
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        try:
            print(f'## {name}'); fn()
        except Exception:
            traceback.print_exc()
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid, 0)

def drop(uid, gid=None):
    gid = uid if gid is None else gid
    os.setgroups([]); os.setresgid(gid,gid,gid); os.setresuid(uid,uid,uid)
def kmsg_mark():
    os.lseek(KMSG, 0, 2); return KMSG
def kmsg_read(fd):
    out=[]
    while True:
        try: out.append(os.read(fd, 8192).decode().split(';',1)[1].strip())
        except OSError: break
    return out


# ==== s8a ============================================================
def slave_bind():
    world()
    m = opn('/dev/ptmx'); unlock(m); print('  index', ptn(m))
    open('/tmp/x','w').close()
    R('bind /dev/pts/0 /tmp/x', mount, '/dev/pts/0', '/tmp/x', None, MS_BIND)
    R('stat /tmp/x', st, '/tmp/x')
    os.close(m)
    R('after close: stat /tmp/x', st, '/tmp/x')
    R('stat /dev/pts/0', st, '/dev/pts/0')
    R('open /tmp/x', opn, '/tmp/x')
    R('remount ro devpts', mount, None, '/dev/pts', None, MS_REMOUNT|MS_RDONLY, '')
    m2 = opn('/dev/ptmx'); unlock(m2); print('  new index', ptn(m2))
    R('stat /dev/pts/0 (new)', st, '/dev/pts/0')
    R('stat /tmp/x (old)', st, '/tmp/x')
    R('open /tmp/x (old)', opn, '/tmp/x')
    R('chmod /tmp/x', os.chmod, '/tmp/x', 0o644)
    R('stat /tmp/x', st, '/tmp/x')
    R('umount /tmp/x', umount2, '/tmp/x')
    R('remount ro devpts', mount, None, '/dev/pts', None, MS_REMOUNT|MS_RDONLY, '')
scenario('slave node bound elsewhere outlives its pty', slave_bind)
def mount_on_slave():
    world()
    m = opn('/dev/ptmx'); unlock(m)
    open('/tmp/f','w').close()
    R('bind /tmp/f on /dev/pts/0', mount, '/tmp/f', '/dev/pts/0', None, MS_BIND)
    R('stat /dev/pts/0', st, '/dev/pts/0')
    os.close(m)
    R('after close stat /dev/pts/0', st, '/dev/pts/0')
    R('readdir', os.listdir, '/dev/pts')
    R('remount ro devpts', mount, None, '/dev/pts', None, MS_REMOUNT|MS_RDONLY, '')
    m2 = opn('/dev/ptmx'); unlock(m2); print('  new index', ptn(m2))
    R('stat /dev/pts/0 (new)', st, '/dev/pts/0')
    R('open /dev/pts/0 new', opn, '/dev/pts/0')
    print('  mountinfo', [x for x in mi() if 'pts' in x])
    R('umount /dev/pts/0', umount2, '/dev/pts/0')
    os.close(m2)
    R('umount /dev/pts/0 after close m2', umount2, '/dev/pts/0')
    R('umount -l /dev/pts', umount2, '/dev/pts', MNT_DETACH)
scenario('mount on a slave node', mount_on_slave)
def reg_unlinked():
    world()
    os.mkdir('/tmp/t'); mount('t','/tmp/t','tmpfs',0,'')
    with open('/tmp/t/f','w') as f: f.write('hi')
    open('/tmp/g','w').close()
    R('bind /tmp/t/f /tmp/g', mount, '/tmp/t/f', '/tmp/g', None, MS_BIND)
    R('unlink /tmp/t/f', os.unlink, '/tmp/t/f')
    R('stat /tmp/g', st, '/tmp/g')
    R('read /tmp/g', lambda: open('/tmp/g').read())
    R('readdir /tmp/t', os.listdir, '/tmp/t')
    R('remount ro /tmp/t', mount, None, '/tmp/t', None, MS_REMOUNT|MS_RDONLY, '')
    R('open rw /tmp/g', opn, '/tmp/g')
    R('umount /tmp/g', umount2, '/tmp/g')
    R('remount ro /tmp/t', mount, None, '/tmp/t', None, MS_REMOUNT|MS_RDONLY, '')
scenario('regular file unlinked while bound', reg_unlinked)


# ==== s8b ============================================================
def perms():
    world()
    os.mkdir('/tmp/d', 0o777)
    open('/tmp/f','w').close(); os.chmod('/tmp/f', 0o2755); os.chown('/tmp/f', 1000, 2000)
    open('/tmp/g','w').close(); os.chmod('/tmp/g', 0o2755); os.chown('/tmp/g', 1000, 1000)
    open('/tmp/h','w').close(); os.chmod('/tmp/h', 0o2745); os.chown('/tmp/h', 1000, 1000)
    open('/tmp/o','w').close(); os.chown('/tmp/o', 0, 0)
    os.mkdir('/tmp/ro', 0o755)
    pid = os.fork()
    if pid == 0:
        drop(1000, 1000)
        R('nonowner chown -1:-1 /tmp/o', os.chown, '/tmp/o', -1, -1); R('stat', st, '/tmp/o')
        R('nonowner chown 0:0 /tmp/o', os.chown, '/tmp/o', 0, 0)
        R('nonowner chown -1:0 /tmp/o', os.chown, '/tmp/o', -1, 0)
        R('owner chown -1:-1 /tmp/f', os.chown, '/tmp/f', -1, -1); R('stat f', st, '/tmp/f')
        # owner in gid 1000, file group 2000 (not member): chown to own group
        R('owner chown -1:1000 /tmp/f (setgid, g+x)', os.chown, '/tmp/f', -1, 1000); R('stat f', st, '/tmp/f')
        R('owner chown -1:1000 /tmp/g (already its group)', os.chown, '/tmp/g', -1, 1000); R('stat g', st, '/tmp/g')
        R('owner chown 1000:1000 /tmp/h (no g+x)', os.chown, '/tmp/h', 1000, 1000); R('stat h', st, '/tmp/h')
        R('mkdir 02775 /tmp/d/sub', os.mkdir, '/tmp/d/sub', 0o2775); R('stat sub', st, '/tmp/d/sub')
        R('mknod /tmp/ro/n (no write)', os.mknod, '/tmp/ro/n', 0o20666, os.makedev(1,3))
        R('mknod /tmp/d/n (writable)', os.mknod, '/tmp/d/n', 0o20666, os.makedev(1,3))
        R('mknod /tmp/ro/f reg (no write)', os.mknod, '/tmp/ro/f2', 0o100666)
        R('mknod /tmp/d/existing', os.mknod, '/tmp/d', 0o20666, os.makedev(1,3))
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid,0)
    R('root mkdir 02775', os.mkdir, '/tmp/rs', 0o2775); R('stat', st, '/tmp/rs')
    R('root mkdir 07777', os.mkdir, '/tmp/rs2', 0o7777); R('stat', st, '/tmp/rs2')
    os.chmod('/tmp/d', 0o2777); os.chown('/tmp/d', 0, 5)
    R('root mkdir in setgid dir 0755', os.mkdir, '/tmp/d/x', 0o755); R('stat', st, '/tmp/d/x')
    R('root touch in setgid dir', lambda: open('/tmp/d/y','w').close()); R('stat', st, '/tmp/d/y')
    # chown by root: setgid g+x file
    open('/tmp/k','w').close(); os.chmod('/tmp/k', 0o6755)
    R('root chown 0:0 /tmp/k 06755', os.chown, '/tmp/k', 0, 0); R('stat', st, '/tmp/k')
    open('/tmp/k2','w').close(); os.chmod('/tmp/k2', 0o6745)
    R('root chown -1:-1 /tmp/k2 06745', os.chown, '/tmp/k2', -1, -1); R('stat', st, '/tmp/k2')
    os.chmod('/tmp/k', 0o6755)
    R('root chown -1:-1 /tmp/k 06755', os.chown, '/tmp/k', -1, -1); R('stat', st, '/tmp/k')
    os.mkdir('/tmp/sd'); os.chmod('/tmp/sd', 0o6755)
    R('root chown dir 1:1 06755', os.chown, '/tmp/sd', 1, 1); R('stat', st, '/tmp/sd')
scenario('ownership corners', perms)
def paths():
    world()
    open('/tmp/f','w').close()
    R('stat /tmp/f/', st, '/tmp/f/')
    R('open /tmp/f/', opn, '/tmp/f/')
    R('stat /dev/ptmx/', st, '/dev/ptmx/')
    R('mkdir /tmp/new/', os.mkdir, '/tmp/new/')
    R('touch /tmp/n2/ (O_CREAT)', opn, '/tmp/n2/', os.O_RDWR|os.O_CREAT)
    R('unlink /tmp/f/', os.unlink, '/tmp/f/')
    R('stat /tmp/f/.', st, '/tmp/f/.')
    R('symlink "" /tmp/e', os.symlink, '', '/tmp/e')
    R('stat /tmp/e', st, '/tmp/e')
    R('lstat /tmp/e', st, '/tmp/e', False)
    R('stat /tmp/e/x', st, '/tmp/e/x')
    R('open /tmp/e O_CREAT', opn, '/tmp/e', os.O_RDWR|os.O_CREAT)
    R('stat 255', st, '/tmp/' + 'a'*255)
    R('stat 256', st, '/tmp/' + 'a'*256)
    R('mkdir 256', os.mkdir, '/tmp/' + 'a'*256)
    R('stat nested 256 in missing', st, '/nonexist/' + 'a'*256)
    R('stat 256 then missing', st, '/tmp/' + 'a'*256 + '/x')
    R('stat path 4096', st, '/' + 'a/'*2047 + 'b')
    R('stat path 4095', st, '/' + '/'*4094)
    R('stat path 4096 slashes', st, '/' + '/'*4095)
    R('stat ""', st, '')
    R('symlink to 256 name', os.symlink, 'a'*256, '/tmp/l256'); R('stat', st, '/tmp/l256')
    mount('t','/tmp','tmpfs',MS_RDONLY,'')
    R('open O_RDWR on ro tmpfs (exists? no)', opn, '/tmp/zz')
    mount(None,'/tmp',None,MS_REMOUNT,'')
    open('/tmp/z','w').close(); os.mknod('/tmp/c', 0o20666, os.makedev(5,2))
    mount(None,'/tmp',None,MS_REMOUNT|MS_RDONLY,'')
    R('open O_RDWR reg on ro', opn, '/tmp/z')
    R('open O_RDONLY reg on ro', opn, '/tmp/z', os.O_RDONLY)
    R('open O_RDWR chr on ro (5:2, no pts sibling)', opn, '/tmp/c')
    R('open O_RDWR dir on ro', opn, '/tmp')
    R('touch existing on ro', os.utime, '/tmp/z')
scenario('path corners', paths)


# ==== s8c ============================================================
DATA = ['sync','async','dirsync','lazytime','nolazytime','mand','nomand','silent','loud','ro','rw','nosuid','nodev','noexec','relatime','noatime','strictatime','nodiratime','defaults','posixacl','iversion','noiversion','sync=1','async=0','mand=1','ro=1','rw=x','lazytime=1','dirsync=1',
 'mode=+620','uid=+5','gid=+5','ptmxmode=+666','max=+5','mode=-1','mode=620\n','uid=5\n','gid=5\n','max=5\n','mode=0x10','uid=0x10','gid=010','max=010','max=0x10','uid= 5','mode= 620','uid=5 ','mode=620\n\n','uid=\n','newinstance\n','mode=0620,','mode=99999999999','uid=4294967296','max=2147483648','max=-0','uid=-0','mode=+','uid=+','uid=++5','max=+-5','mode=\t620', 'source=x', 'x-foo', 'uid', 'mode']
def one():
    world()
    os.mkdir('/tmp/m')
    for d in DATA:
        k = kmsg_mark()
        try:
            mount('devpts', '/tmp/m', 'devpts', 0, d)
            line = [l for l in mi() if l.startswith('/tmp/m ')][-1]
            res = 'ok  ' + line
            umount2('/tmp/m')
        except OSError as e:
            res = en(e.errno)
        print(f'  mount {d!r}: {res}  log={kmsg_read(k)}')
    mount('devpts', '/tmp/m', 'devpts', 0, 'mode=620')
    for d in ['sync','lazytime','mand','mode=+600','ro','rw','uid=5\n', 'nosuid', 'dirsync']:
        k = kmsg_mark()
        try:
            mount(None, '/tmp/m', None, MS_REMOUNT, d)
            line = [l for l in mi() if l.startswith('/tmp/m ')][-1]
            res = 'ok  ' + line
        except OSError as e:
            res = en(e.errno)
        print(f'  remount {d!r}: {res}  log={kmsg_read(k)}')
scenario('devpts options 6.18', one)


# ==== s1 ============================================================
def umount_root():
    world()
    print('  mi', mi())
    R('umount / (non-lazy)', umount2, '/')
    R('touch /tmp/x after', lambda: open('/tmp/x','w').close())
    R('mkdir /newdir', os.mkdir, '/newdir')
    print('  mi', mi()[:2])
    R('remount / rw', mount, None, '/', None, MS_REMOUNT, '')
    R('mkdir /newdir', os.mkdir, '/newdir')
    R('umount / again', umount2, '/')
    R('umount / again (ro already)', umount2, '/')
    R('umount -l /', umount2, '/', MNT_DETACH)
    R('stat /', st, '/')
    R('listdir /', os.listdir, '/')
    R('stat /dev/pts', st, '/dev/pts')
    R('open /dev/ptmx', opn, '/dev/ptmx')
    R('mount tmpfs on /tmp', mount, 't', '/tmp', 'tmpfs')
    R('mountinfo', lambda: open('/proc/self/mountinfo').read())
scenario('umount / on the process root', umount_root)
def umount_root_openfile():
    world()
    fd = os.open('/tmp/w', os.O_RDWR|os.O_CREAT)
    R('umount / with a file open rw', umount2, '/')
    os.close(fd)
    m = opn('/dev/ptmx')
    R('umount / with a master open', umount2, '/')
scenario('umount / busy', umount_root_openfile)
def umount_root_chrooted():
    world()
    os.mkdir('/tmp/r'); mount('r','/tmp/r','tmpfs'); os.mkdir('/tmp/r/sub')
    pid = os.fork()
    if pid == 0:
        os.chroot('/tmp/r'); os.chdir('/')
        R('chrooted: umount / (root is the tmpfs mount, not ns root)', umount2, '/')
        R('mkdir /x', os.mkdir, '/x')
        R('umount -l /', umount2, '/', MNT_DETACH)
        R('listdir /', os.listdir, '/')
        R('mkdir /y', os.mkdir, '/y')
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid,0)
    R('parent sees /tmp/r', os.listdir, '/tmp/r')
    R('parent mi', lambda: [x for x in mi() if 'tmp' in x])
    os.mkdir('/tmp/s')
    pid = os.fork()
    if pid == 0:
        os.chroot('/tmp/s'); os.chdir('/')
        R('chroot to plain dir: umount /', umount2, '/')
        R('chroot to plain dir: umount -l /', umount2, '/', MNT_DETACH)
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid,0)
scenario('umount / when chrooted', umount_root_chrooted)
def mount_on_root():
    world()
    R('mount tmpfs on /', mount, 'n', '/', 'tmpfs')
    R('listdir /', os.listdir, '/')
    R('stat /dev', st, '/dev')
    R('listdir /..', os.listdir, '/..')
    R('listdir /.', os.listdir, '/.')
    R('listdir .', os.listdir, '.')
    R('listdir ..', os.listdir, '..')
    R('getcwd', os.getcwd)
    pid = os.fork()
    if pid == 0:
        R('child chdir /', os.chdir, '/'); R('child listdir .', os.listdir, '.')
        R('child chdir /..', os.chdir, '/..'); R('child listdir .', os.listdir, '.')
        R('child listdir /', os.listdir, '/')
        R('child getcwd', os.getcwd)
        R('child chroot .', os.chroot, '.'); R('child listdir /', os.listdir, '/')
        R('mi', mi)
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid,0)
    R('mi', mi)
scenario('mount on /', mount_on_root)


# ==== s2 ============================================================
def child(fn):
    sys.stdout.flush(); pid = os.fork()
    if pid == 0:
        try: fn()
        except Exception: traceback.print_exc()
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid, 0)
def pivot():
    world()
    os.mkdir('/tmp/n'); mount('n','/tmp/n','tmpfs'); os.mkdir('/tmp/n/old'); os.mkdir('/tmp/n/sub')
    os.mkdir('/tmp/plain'); os.mkdir('/tmp/plain/old')
    R('pivot_root plain dir', pivot_root, '/tmp/plain', '/tmp/plain/old')
    R('pivot_root put_old outside new', pivot_root, '/tmp/n', '/tmp/plain')
    R('pivot_root new=/ ', pivot_root, '/', '/tmp')
    R('pivot_root file', pivot_root, '/dev/ptmx', '/tmp')
    R('pivot_root missing', pivot_root, '/tmp/nope', '/tmp/n/old')
    R('pivot_root put_old=new (.,.)', pivot_root, '/tmp/n', '/tmp/n')
    os.chdir('/tmp')  # cwd in old root
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.chdir('/dev')
        os.read(r, 1)
        R('  sibling after pivot: getcwd', os.getcwd); R('  sibling listdir /', os.listdir, '/'); R('  sibling listdir .', os.listdir, '.')
        sys.stdout.flush(); os._exit(0)
    pid2 = os.fork()
    if pid2 == 0:
        os.read(r, 1)
        R('  sibling(cwd /) after pivot: listdir /', os.listdir, '/'); R('  sibling(cwd /) listdir .', os.listdir, '.')
        sys.stdout.flush(); os._exit(0)
    os.chdir('/')
    R('pivot_root /tmp/n /tmp/n/old', pivot_root, '/tmp/n', '/tmp/n/old')
    os.write(w, b'xx'); os.waitpid(pid,0); os.waitpid(pid2,0)
    R('listdir /', os.listdir, '/'); R('listdir .', os.listdir, '.'); R('getcwd', os.getcwd)
    R('listdir /old', os.listdir, '/old')
    R('mi', lambda: open('/old/proc/self/mountinfo').read())
    R('umount /old (busy? submounts)', umount2, '/old')
    R('umount -l /old', umount2, '/old', MNT_DETACH)
    R('listdir /old', os.listdir, '/old')
scenario('pivot_root', pivot)
def pivot_shared():
    world()
    os.mkdir('/tmp/n'); mount('n','/tmp/n','tmpfs'); os.mkdir('/tmp/n/old')
    mount(None, '/tmp/n', None, MS_SHARED)
    R('pivot_root new shared', pivot_root, '/tmp/n', '/tmp/n/old')
    mount(None, '/tmp/n', None, MS_PRIVATE)
    mount(None, '/', None, MS_SHARED)
    R('pivot_root root shared (ex_parent = root mount)', pivot_root, '/tmp/n', '/tmp/n/old')
scenario('pivot_root shared', pivot_shared)
def chdirs():
    world()
    os.mkdir('/tmp/a', 0o700); os.mkdir('/tmp/a/b')
    R('chdir /tmp/a', os.chdir, '/tmp/a'); R('stat b', st, 'b'); R('stat ./b/..', st, './b/..'); R('stat ../a', st, '../a')
    R('mkdir rel', os.mkdir, 'rel'); R('stat /tmp/a/rel', st, '/tmp/a/rel')
    R('chdir /dev/ptmx', os.chdir, '/dev/ptmx')
    R('chdir /nope', os.chdir, '/nope')
    os.chmod('/tmp/a', 0o700); os.chown('/tmp/a', 5, 5)
    def u():
        drop(1000)
        R('nonroot chdir /tmp/a (0700 other owner)', os.chdir, '/tmp/a')
        R('nonroot chroot', os.chroot, '/tmp')
    child(u)
    os.mkdir('/tmp/m'); mount('m','/tmp/m','tmpfs'); os.mkdir('/tmp/m/in')
    os.chdir('/tmp/m/in')
    R('umount -l /tmp/m while cwd inside', umount2, '/tmp/m', MNT_DETACH)
    R('stat .', st, '.'); R('listdir ..', os.listdir, '..'); R('stat ../..', st, '../..'); R('listdir ../..', os.listdir, '../..')
    R('mkdir x (detached)', os.mkdir, 'x')
    R('mount tmpfs on . (detached)', mount, 'q', '.', 'tmpfs')
    R('bind /tmp on . (detached)', mount, '/tmp', '.', None, MS_BIND)
    os.chdir('/')
    os.mkdir('/tmp/m2'); mount('m2','/tmp/m2','tmpfs')
    os.chdir('/tmp/m2')
    R('umount /tmp/m2 while cwd inside', umount2, '/tmp/m2')
    os.chdir('/')
    R('umount /tmp/m2 cwd outside', umount2, '/tmp/m2')
    os.mkdir('/tmp/c'); os.mkdir('/tmp/c/d')
    def c():
        R('chroot /tmp/c', os.chroot, '/tmp/c'); R('getcwd', os.getcwd); R('listdir .', os.listdir, '.'); R('listdir /', os.listdir, '/')
        R('stat ..', st, '..'); R('listdir ../..', os.listdir, '../..')
        R('chdir /', os.chdir, '/'); R('listdir ..', os.listdir, '..')
        R('mi', mi)
    child(c)
scenario('chdir and relative paths', chdirs)


# ==== s3 ============================================================
import time
def pivot():
    world()
    os.mkdir('/tmp/n'); mount('n','/tmp/n','tmpfs'); os.mkdir('/tmp/n/old'); os.mkdir('/tmp/n/sub'); os.mkdir('/tmp/n2'); mount('n2','/tmp/n2','tmpfs')
    R('pivot new not under? put_old in other mount', pivot_root, '/tmp/n', '/tmp/n2')
    r, w = os.pipe()
    kids = []
    for cwd in ['/dev', '/', '/tmp']:
        pid = os.fork()
        if pid == 0:
            os.chdir(cwd); os.read(r, 1)
            R(f'  sibling(cwd {cwd}): listdir /', os.listdir, '/'); R(f'  sibling(cwd {cwd}) listdir .', os.listdir, '.')
            sys.stdout.flush(); os._exit(0)
        kids.append(pid)
    pid = os.fork()
    if pid == 0:
        os.chroot('/tmp'); os.read(r, 1)
        R('  chrooted sibling listdir /', os.listdir, '/'); R('  chrooted sibling listdir .', os.listdir, '.')
        sys.stdout.flush(); os._exit(0)
    kids.append(pid)
    os.chdir('/tmp')
    R('pivot_root /tmp/n /tmp/n/old (cwd /tmp)', pivot_root, '/tmp/n', '/tmp/n/old')
    os.write(w, b'xxxx'); [os.waitpid(k,0) for k in kids]
    R('listdir /', os.listdir, '/'); R('listdir .', os.listdir, '.')
    R('listdir /old', os.listdir, '/old')
    R('mi', lambda: [l.split()[4] for l in open('/old/proc/self/mountinfo').read().splitlines()])
    R('umount /old (submounts)', umount2, '/old')
    R('umount -l /old', umount2, '/old', MNT_DETACH)
    R('listdir /old', os.listdir, '/old')
    R('listdir .', os.listdir, '.')
scenario('pivot_root moves roots', pivot)
def pivot_rel():
    world()
    os.mkdir('/tmp/n'); mount('n','/tmp/n','tmpfs'); os.mkdir('/tmp/n/old')
    os.chdir('/tmp/n')
    R('pivot_root . old', pivot_root, '.', 'old')
    R('listdir /', os.listdir, '/'); R('listdir .', os.listdir, '.')
    os.mkdir('/sub'); mount('s', '/sub', 'tmpfs'); os.mkdir('/sub/o')
    os.chdir('/sub'); os.chroot('/sub')
    R('pivot_root from chrooted mount root: . o', pivot_root, '.', 'o')
scenario('pivot_root relative', pivot_rel)
def pivot_ro():
    world()
    os.mkdir('/tmp/n'); mount('n','/tmp/n','tmpfs'); os.mkdir('/tmp/n/old')
    os.mkdir('/tmp/p')
    os.chroot('/tmp/p')
    R('pivot_root when root is not a mount root', pivot_root, '/../n', '/../n/old')
scenario('pivot_root chrooted plain', pivot_ro)


# ==== s4 ============================================================
def child(fn):
    sys.stdout.flush(); pid = os.fork()
    if pid == 0:
        try: fn()
        except Exception: traceback.print_exc()
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid, 0)
def mif(): return [' '.join(l.split(' - ')[0].split()[4:5] + l.split(' - ')[0].split()[6:]) for l in open('/proc/self/mountinfo').read().splitlines()]
def move():
    world()
    os.mkdir('/tmp/a'); os.mkdir('/tmp/b'); os.mkdir('/tmp/c'); open('/tmp/f','w').close()
    mount('a','/tmp/a','tmpfs'); os.mkdir('/tmp/a/x')
    R('move /tmp/a /tmp/b', mount, '/tmp/a', '/tmp/b', None, MS_MOVE)
    R('listdir /tmp/b', os.listdir, '/tmp/b'); R('listdir /tmp/a', os.listdir, '/tmp/a')
    R('move non-mount /tmp/c', mount, '/tmp/c', '/tmp/a', None, MS_MOVE)
    R('move /tmp/b into itself /tmp/b/x', mount, '/tmp/b', '/tmp/b/x', None, MS_MOVE)
    R('move /tmp/b onto file', mount, '/tmp/b', '/tmp/f', None, MS_MOVE)
    R('move missing', mount, '/tmp/nope', '/tmp/a', None, MS_MOVE)
    R('move / ', mount, '/', '/tmp/a', None, MS_MOVE)
    R('move /dev/pts /tmp/a', mount, '/dev/pts', '/tmp/a', None, MS_MOVE)
    R('stat /dev/pts', st, '/dev/pts'); R('stat /tmp/a', st, '/tmp/a')
    R('mi', mif)
    mount(None, '/tmp', None, MS_SHARED) if False else None
    os.mkdir('/tmp/s'); mount('s','/tmp/s','tmpfs'); mount(None,'/tmp/s',None,MS_SHARED); os.mkdir('/tmp/s/in'); mount('i','/tmp/s/in','tmpfs')
    R('move mount whose parent is shared', mount, '/tmp/s/in', '/tmp/c', None, MS_MOVE)
    R('move mount under shared parent target', mount, '/tmp/b', '/tmp/s/in', None, MS_MOVE)
    R('mi', mif)
    def u():
        drop(1000); R('nonroot move', mount, '/tmp/b', '/tmp/c', None, MS_MOVE)
    child(u)
    os.mkdir('/tmp/file_src_dir'); open('/tmp/g','w').close(); open('/tmp/h','w').close()
    mount('/tmp/g', '/tmp/h', None, MS_BIND)
    R('move file bind onto dir', mount, '/tmp/h', '/tmp/c', None, MS_MOVE)
scenario('move', move)
def rbind():
    world()
    os.mkdir('/tmp/a'); mount('a','/tmp/a','tmpfs'); os.mkdir('/tmp/a/x'); mount('x','/tmp/a/x','tmpfs'); os.mkdir('/tmp/a/x/y'); mount('y','/tmp/a/x/y','tmpfs')
    os.mkdir('/tmp/b'); os.mkdir('/tmp/c')
    R('bind', mount, '/tmp/a', '/tmp/b', None, MS_BIND); R('rbind', mount, '/tmp/a', '/tmp/c', None, MS_BIND|MS_REC)
    R('mi', mif)
    mount(None, '/tmp/a/x/y', None, MS_UNBINDABLE)
    os.mkdir('/tmp/d'); os.mkdir('/tmp/e')
    R('rbind with unbindable submount', mount, '/tmp/a', '/tmp/d', None, MS_BIND|MS_REC)
    R('bind unbindable', mount, '/tmp/a/x/y', '/tmp/e', None, MS_BIND)
    R('mi', mif)
scenario('rbind', rbind)
def rbind_bind():
    world()
    os.mkdir('/tmp/a'); mount('a','/tmp/a','tmpfs')
    R('remount bind ro', mount, None, '/tmp/a', None, MS_REMOUNT|MS_BIND|MS_RDONLY)
    R('mkdir', os.mkdir, '/tmp/a/x')
    os.mkdir('/tmp/b'); mount('/tmp/a', '/tmp/b', None, MS_BIND)
    R('bind of ro mount: mkdir via b', os.mkdir, '/tmp/b/x')
    R('remount bind rw on b', mount, None, '/tmp/b', None, MS_REMOUNT|MS_BIND)
    R('mkdir via b', os.mkdir, '/tmp/b/y')
    R('mi', mif)
    R('remount bind with data', mount, None, '/tmp/b', None, MS_REMOUNT|MS_BIND|MS_NOSUID, 'mode=0700,bogus')
    R('mi', mif)
    R('remount bind non-mountpoint', mount, None, '/tmp/b/y', None, MS_REMOUNT|MS_BIND|MS_RDONLY)
    R('remount bind missing', mount, None, '/tmp/zz', None, MS_REMOUNT|MS_BIND|MS_RDONLY)
    R('remount bind ro on devpts', mount, None, '/dev/pts', None, MS_REMOUNT|MS_BIND|MS_RDONLY)
    m = opn('/dev/ptmx'); unlock(m)
    R('open ptmx through ro devpts', opn, '/dev/pts/ptmx')
    R('chmod in ro-bind devpts', os.chmod, '/dev/pts/0', 0o644)
    R('mi', mif)
    os.mkdir('/tmp/w'); mount('w','/tmp/w','tmpfs'); fd = os.open('/tmp/w/f', os.O_RDWR|os.O_CREAT)
    R('remount bind ro with open writer', mount, None, '/tmp/w', None, MS_REMOUNT|MS_BIND|MS_RDONLY)
    R('remount ro (sb) with open writer', mount, None, '/tmp/w', None, MS_REMOUNT|MS_RDONLY)
    def u():
        drop(1000); R('nonroot remount bind', mount, None, '/tmp/b', None, MS_REMOUNT|MS_BIND|MS_RDONLY)
    child(u)
scenario('remount bind', rbind_bind)


# ==== s5 ============================================================
def mif(): return [' '.join(l.split(' - ')[0].split()[4:5] + l.split(' - ')[0].split()[6:]) for l in open('/proc/self/mountinfo').read().splitlines()]
def prop():
    world()
    os.mkdir('/tmp/s'); mount('s','/tmp/s','tmpfs'); os.mkdir('/tmp/s/d')
    R('make-shared /tmp/s', mount, None, '/tmp/s', None, MS_SHARED)
    R('make-shared non-mountpoint', mount, None, '/tmp/s/d', None, MS_SHARED)
    R('make-shared missing', mount, None, '/tmp/s/zz', None, MS_SHARED)
    R('make-shared|private both', mount, None, '/tmp/s', None, MS_SHARED|MS_PRIVATE)
    os.mkdir('/tmp/b')
    R('bind /tmp/s /tmp/b', mount, '/tmp/s', '/tmp/b', None, MS_BIND)
    R('mount tmpfs /tmp/s/d', mount, 'x', '/tmp/s/d', 'tmpfs')
    R('mi', mif)
    R('listdir /tmp/b/d (peer got it?)', os.listdir, '/tmp/b/d')
    open('/tmp/s/d/f','w').close()
    R('listdir /tmp/b/d', os.listdir, '/tmp/b/d')
    R('umount /tmp/b/d', umount2, '/tmp/b/d')
    R('mi', mif)
    # slave
    mount(None, '/tmp/b', None, MS_SLAVE)
    R('make-slave b; mount on b/d', mount, 'y', '/tmp/b/d', 'tmpfs')
    R('mi', mif)
    R('mount on s/d again', mount, 'z', '/tmp/s/d', 'tmpfs')
    R('mi', mif)
    R('umount s/d', umount2, '/tmp/s/d')
    R('mi', mif)
    # copy namespace: keep propagation
    r, w = os.pipe(); r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        unshare(CLONE_NEWNS)
        R('  child mi after unshare (no rprivate)', mif)
        R('  child mount devpts on /tmp/s/d', mount, 'devpts', '/tmp/s/d', 'devpts', 0, 'ptmxmode=666')
        os.write(w, b'x'); os.read(r2, 1)
        R('  child mi', mif)
        sys.stdout.flush(); os._exit(0)
    os.read(r, 1)
    R('parent mi after child mounted', mif)
    R('parent stat /tmp/s/d/ptmx', st, '/tmp/s/d/ptmx')
    R('parent mount tmpfs on /tmp/s/d/', mount, 'p', '/tmp/s/d', 'tmpfs')
    os.write(w2, b'x'); os.waitpid(pid, 0)
    R('parent mi after child exit', mif)
scenario('propagation', prop)
def unbind():
    world()
    os.mkdir('/tmp/u'); mount('u','/tmp/u','tmpfs')
    R('make-unbindable', mount, None, '/tmp/u', None, MS_UNBINDABLE)
    os.mkdir('/tmp/b')
    R('bind unbindable', mount, '/tmp/u', '/tmp/b', None, MS_BIND)
    R('move unbindable', mount, '/tmp/u', '/tmp/b', None, MS_MOVE)
    R('mi', mif)
    mount(None, '/tmp', None, MS_SHARED)  # /tmp is not a mount -> EINVAL? 
scenario('unbindable', unbind)
def recursive():
    world()
    os.mkdir('/tmp/a'); mount('a','/tmp/a','tmpfs'); os.mkdir('/tmp/a/x'); mount('x','/tmp/a/x','tmpfs')
    R('make-rshared /tmp/a', mount, None, '/tmp/a', None, MS_SHARED|MS_REC)
    R('mi', mif)
    R('make-rslave /', mount, None, '/', None, MS_SLAVE|MS_REC)
    R('mi', mif)
    R('make-shared /', mount, None, '/', None, MS_SHARED)
    R('mi', mif)
    R('make-rprivate /', mount, None, '/', None, MS_PRIVATE|MS_REC)
    R('mi', mif)
    R('make-slave of private', mount, None, '/tmp/a', None, MS_SLAVE)
    R('mi', mif)
scenario('recursive', recursive)


# ==== s6 ============================================================
def child(fn):
    sys.stdout.flush(); pid = os.fork()
    if pid == 0:
        try: fn()
        except Exception: traceback.print_exc()
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid, 0)
def userns_r(uid, gid):
    # as `unshare -U -r`: map 0 -> uid, deny setgroups, map 0 -> gid
    unshare(CLONE_NEWUSER)
    open('/proc/self/uid_map','w').write(f'0 {uid} 1')
    open('/proc/self/setgroups','w').write('deny')
    open('/proc/self/gid_map','w').write(f'0 {gid} 1')
def mif(): return [' '.join(l.split(' - ')[0].split()[4:6] + [l.split(' - ')[1]]) for l in open('/proc/self/mountinfo').read().splitlines()]
def u():
    world()
    os.mkdir('/tmp/o', 0o755); os.chown('/tmp/o', 5, 5)
    open('/tmp/rootfile', 'w').close(); os.chmod('/tmp/rootfile', 0o644)
    os.mkdir('/tmp/pub', 0o777)
    def as_root():
        R('root: unshare user+ns', lambda: (userns_r(0,0), unshare(CLONE_NEWNS)))
        R('ids', lambda: (os.getuid(), os.getgid()))
        R('stat /tmp/o (owned 5:5)', st, '/tmp/o')
        R('stat /tmp/rootfile', st, '/tmp/rootfile')
        R('mount tmpfs /tmp/pub', mount, 't', '/tmp/pub', 'tmpfs')
        R('stat /tmp/pub (new tmpfs root)', st, '/tmp/pub')
        R('mknod in userns tmpfs', os.mknod, '/tmp/pub/n', 0o20666, os.makedev(5,2))
        R('mount devpts /tmp/pub', mount, 'devpts', '/tmp/pub', 'devpts', 0, 'ptmxmode=0666')
        R('mount devpts gid=5', mount, 'devpts', '/tmp/pub', 'devpts', 0, 'gid=5')
        R('open /tmp/pub/ptmx', lambda: ptn(opn('/tmp/pub/ptmx')))
        R('stat /tmp/pub/0', st, '/tmp/pub/0')
        R('mount devtmpfs', mount, 'devtmpfs', '/tmp/o', 'devtmpfs')
        R('mount proc', mount, 'proc', '/tmp/o', 'proc')
        R('umount /dev/pts (locked)', umount2, '/dev/pts')
        R('umount -l /dev/pts (locked)', umount2, '/dev/pts', MNT_DETACH)
        R('remount /dev/pts devpts (sb in init userns)', mount, None, '/dev/pts', None, MS_REMOUNT, '')
        R('remount bind ro /dev/pts', mount, None, '/dev/pts', None, MS_REMOUNT|MS_BIND|MS_RDONLY)
        R('remount bind rw /dev/pts', mount, None, '/dev/pts', None, MS_REMOUNT|MS_BIND)
        R('open /dev/ptmx', lambda: ptn(opn('/dev/ptmx')))
        R('chown /tmp/rootfile 5 5 (unmapped)', os.chown, '/tmp/rootfile', 5, 5)
        R('chown /tmp/rootfile 0 0', os.chown, '/tmp/rootfile', 0, 0)
        R('chmod /tmp/o (owner unmapped)', os.chmod, '/tmp/o', 0o700)
        R('mkdir /tmp/o/x (unmapped dir 0755)', os.mkdir, '/tmp/o/x')
        R('setuid(5) in userns', os.setuid, 5)
        R('bind /tmp /tmp/pub', mount, '/tmp', '/tmp/pub', None, MS_BIND)
        R('mi', mif)
        R('chroot', os.chroot, '/tmp')
        R('unshare user again (nested)', unshare, CLONE_NEWUSER)
    child(as_root)
    def as_1000():
        drop(1000)
        R('1000: unshare user+ns', lambda: (userns_r(1000,1000), unshare(CLONE_NEWNS)))
        R('stat /tmp/rootfile', st, '/tmp/rootfile')
        R('stat /tmp (root-owned 1777)', st, '/tmp')
        R('write /tmp/rootfile (0644 root, caps in userns only)', opn, '/tmp/rootfile')
        R('mkdir /tmp/u', os.mkdir, '/tmp/u'); R('stat /tmp/u', st, '/tmp/u')
        R('mount tmpfs /tmp/u', mount, 't', '/tmp/u', 'tmpfs'); R('stat /tmp/u', st, '/tmp/u')
        R('open /dev/ptmx', lambda: ptn(opn('/dev/ptmx')))
        R('stat /dev/pts/0', st, '/dev/pts/0')
        R('mount devpts /dev/pts', mount, 'devpts', '/dev/pts', 'devpts', 0, 'ptmxmode=0666,mode=620,gid=0')
        R('open /dev/ptmx (sibling pts = userns devpts)', lambda: ptn(opn('/dev/ptmx')))
        R('stat /dev/pts/0', st, '/dev/pts/0')
        R('setuid(0)', os.setuid, 0)
        R('setuid(1000) (unmapped)', os.setuid, 1000)
        R('mi', mif)
    child(as_1000)
    def user_only():
        R('unshare user only', lambda: userns_r(0,0))
        R('mount tmpfs (mount ns owned by init userns)', mount, 't', '/tmp/pub', 'tmpfs')
        R('unshare mount now', unshare, CLONE_NEWNS)
        R('mount tmpfs', mount, 't', '/tmp/pub', 'tmpfs')
    child(user_only)
scenario('user namespaces', u)


# ==== s7 ============================================================
import ctypes
def child(fn):
    sys.stdout.flush(); pid = os.fork()
    if pid == 0:
        try: fn()
        except Exception: traceback.print_exc()
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid, 0)
def userns_r(uid, gid):
    unshare(CLONE_NEWUSER)
    open('/proc/self/uid_map','w').write(f'0 {uid} 1')
    open('/proc/self/setgroups','w').write('deny')
    open('/proc/self/gid_map','w').write(f'0 {gid} 1')
def mif(): return [' '.join(l.split(' - ')[0].split()[4:6] + [l.split(' - ')[1]]) for l in open('/proc/self/mountinfo').read().splitlines()]
def u():
    world('gid=5,mode=620')
    open('/tmp/rootfile', 'w').close(); os.chmod('/tmp/rootfile', 0o644)
    os.mkdir('/tmp/mine'); os.chown('/tmp/mine', 1000, 1000)
    m0 = opn('/dev/ptmx')
    def as_1000():
        drop(1000); libc.prctl(4, 1, 0, 0, 0)
        R('1000: unshare user+ns', lambda: (userns_r(1000,1000), unshare(CLONE_NEWNS)))
        R('ids', lambda: (os.getuid(), os.getgid(), os.getgroups()))
        R('stat /tmp/rootfile', st, '/tmp/rootfile')
        R('stat /tmp/mine', st, '/tmp/mine')
        R('stat /dev/pts/0 (host pty 0:5)', st, '/dev/pts/0')
        R('open rw /tmp/rootfile', opn, '/tmp/rootfile')
        R('mkdir /tmp/u', os.mkdir, '/tmp/u'); R('stat /tmp/u', st, '/tmp/u')
        R('chown /tmp/u 0 0', os.chown, '/tmp/u', 0, 0)
        R('mount tmpfs /tmp/u', mount, 't', '/tmp/u', 'tmpfs'); R('stat /tmp/u', st, '/tmp/u')
        R('mount tmpfs mode=0700,uid=0 /tmp/u', mount, 't', '/tmp/u', 'tmpfs', 0, 'mode=0700,uid=0'); R('stat /tmp/u', st, '/tmp/u')
        R('mount tmpfs uid=1000 (unmapped)', mount, 't', '/tmp/u', 'tmpfs', 0, 'uid=1000')
        R('open /dev/ptmx (host devpts)', lambda: ptn(opn('/dev/ptmx')))
        R('stat /dev/pts/1', st, '/dev/pts/1')
        R('mount devpts /dev/pts', mount, 'devpts', '/dev/pts', 'devpts', 0, 'ptmxmode=0666,mode=620,gid=0')
        R('open /dev/ptmx (sibling pts = userns devpts)', lambda: ptn(opn('/dev/ptmx')))
        R('stat /dev/pts/0', st, '/dev/pts/0')
        R('stat /dev/pts/ptmx', st, '/dev/pts/ptmx')
        R('mi', mif)
        R('touch in tmpfs mknod chr', os.mknod, '/tmp/u/x', 0o20666, os.makedev(5,2))
        R('mount tmpfs nodev? open chr on userns tmpfs: bind /dev/ptmx', lambda: (open('/tmp/u/p','w').close(), mount('/dev/ptmx','/tmp/u/p',None,MS_BIND)))
        R('open /tmp/u/p (bind of host ptmx node)', lambda: ptn(opn('/tmp/u/p')))
        R('setuid(0)', os.setuid, 0)
        R('setuid(5)', os.setuid, 5)
        R('unshare user nested', lambda: userns_r(0,0))
        R('ids', lambda: (os.getuid(), os.getgid()))
        R('stat /tmp/mine', st, '/tmp/mine')
        R('mount tmpfs (ns owned by parent userns)', mount, 't', '/tmp/u', 'tmpfs')
    child(as_1000)
    R('host view of pty 1 (opened in userns)', st, '/dev/pts/1')
scenario('uid 1000 userns', u)


# ==== s8 ============================================================
def mif(): return [' '.join(l.split(' - ')[0].split()[3:6] + [l.split(' - ')[1]]) for l in open('/proc/self/mountinfo').read().splitlines()]
def d():
    world()
    os.mkdir('/tmp/d')
    R('mount devtmpfs bogus option', mount, 'devtmpfs', '/tmp/d', 'devtmpfs', 0, 'bogus')
    R('mount devtmpfs', mount, 'devtmpfs', '/tmp/d', 'devtmpfs')
    for n in ['', 'ptmx','tty','console','null','zero','pts','shm']:
        R(f'stat /tmp/d/{n}', st, '/tmp/d/'+n)
    R('readdir /tmp/d/pts', os.listdir, '/tmp/d/pts')
    R('open /tmp/d/ptmx', opn, '/tmp/d/ptmx')
    R('open /tmp/d/null', opn, '/tmp/d/null')
    R('open /tmp/d/zero', opn, '/tmp/d/zero')
    R('open /tmp/d/tty (no ctty after setsid)', lambda: (os.setsid(), opn('/tmp/d/tty'))[1])
    R('mi', mif)
    os.mkdir('/tmp/d2')
    R('mount devtmpfs again', mount, 'devtmpfs', '/tmp/d2', 'devtmpfs')
    R('stat /tmp/d2', st, '/tmp/d2')
    R('umount /tmp/d', umount2, '/tmp/d')
    def nonroot():
        os.setgroups([]); os.setresgid(1000,1000,1000); os.setresuid(1000,1000,1000)
        R('nonroot open /tmp/d2/console', opn, '/tmp/d2/console')
        R('nonroot open /tmp/d2/null', opn, '/tmp/d2/null')
        R('nonroot open /tmp/d2/ptmx', opn, '/tmp/d2/ptmx')
    sys.stdout.flush(); pid = os.fork()
    if pid == 0: nonroot(); sys.stdout.flush(); os._exit(0)
    os.waitpid(pid,0)
scenario('devtmpfs (read-only peek)', d)


# ==== s9 ============================================================
def mif(): return [' '.join(l.split(' - ')[0].split()[4:5] + l.split(' - ')[0].split()[6:] + [l.split(' - ')[1].split()[1]]) for l in open('/proc/self/mountinfo').read().splitlines()]
def tuck():
    world()
    os.mkdir('/tmp/s'); mount('s','/tmp/s','tmpfs'); os.mkdir('/tmp/s/d')
    mount(None,'/tmp/s',None,MS_SHARED)
    os.mkdir('/tmp/b'); mount('/tmp/s','/tmp/b',None,MS_BIND)
    mount(None,'/tmp/b',None,MS_PRIVATE)
    R('private mount "first" on b/d', mount, 'first', '/tmp/b/d', 'tmpfs'); open('/tmp/b/d/first','w').close()
    mount(None,'/tmp/b',None,MS_SHARED)
    mount(None,'/tmp/b',None,MS_PRIVATE)
    # make b a peer again: bind from s
    os.mkdir('/tmp/c'); mount('/tmp/s','/tmp/c',None,MS_BIND)
    os.mkdir('/tmp/c/e') if False else None
    R('mi', mif)
    # mount on s/d, c is peer; c has nothing on d
    R('mount "second" on s/d', mount, 'second', '/tmp/s/d', 'tmpfs'); open('/tmp/s/d/second','w').close()
    R('listdir c/d', os.listdir, '/tmp/c/d')
    R('mount "third" on c/d (peer)', mount, 'third', '/tmp/c/d', 'tmpfs'); open('/tmp/c/d/third','w').close()
    R('listdir s/d', os.listdir, '/tmp/s/d'); R('listdir c/d', os.listdir, '/tmp/c/d')
    R('mi', mif)
    R('umount s/d (top is third copy)', umount2, '/tmp/s/d')
    R('listdir s/d', os.listdir, '/tmp/s/d'); R('listdir c/d', os.listdir, '/tmp/c/d')
    R('mi', mif)
scenario('stacking and propagation', tuck)
def tuck2():
    world()
    os.mkdir('/tmp/s'); mount('s','/tmp/s','tmpfs'); os.mkdir('/tmp/s/d')
    mount(None,'/tmp/s',None,MS_SHARED)
    os.mkdir('/tmp/c'); mount('/tmp/s','/tmp/c',None,MS_BIND)   # peer
    # give c/d a private mount without propagating: make c private, mount, make c shared-peer again impossible; use slave:
    mount(None,'/tmp/c',None,MS_SLAVE)
    R('mount "local" on c/d (slave, no back-propagation)', mount, 'local', '/tmp/c/d', 'tmpfs'); open('/tmp/c/d/local','w').close()
    R('mount "master" on s/d', mount, 'master', '/tmp/s/d', 'tmpfs'); open('/tmp/s/d/master','w').close()
    R('listdir c/d', os.listdir, '/tmp/c/d')
    R('mi', mif)
    R('umount c/d (top)', umount2, '/tmp/c/d'); R('listdir c/d', os.listdir, '/tmp/c/d')
    R('mi', mif)
    R('umount s/d', umount2, '/tmp/s/d'); R('listdir c/d', os.listdir, '/tmp/c/d')
    R('mi', mif)
scenario('slave receiving onto an occupied mountpoint', tuck2)
def umount_prop():
    world()
    os.mkdir('/tmp/s'); mount('s','/tmp/s','tmpfs'); os.mkdir('/tmp/s/d'); os.mkdir('/tmp/s/e')
    mount(None,'/tmp/s',None,MS_SHARED)
    os.mkdir('/tmp/c'); mount('/tmp/s','/tmp/c',None,MS_BIND)
    mount('x','/tmp/s/d','tmpfs'); os.mkdir('/tmp/s/d/in')
    fd = os.open('/tmp/c/d/in', os.O_RDONLY)
    R('umount s/d while the peer copy is busy (open dir)', umount2, '/tmp/s/d')
    os.close(fd)
    mount('y','/tmp/c/d/in','tmpfs')
    R('mi', mif)
    R('umount s/d while the peer copy has a child', umount2, '/tmp/s/d')
    R('mi', mif)
    R('umount -l c/d', umount2, '/tmp/c/d', MNT_DETACH)
    R('mi', mif)
scenario('umount propagation', umount_prop)


# ==== s10 ============================================================
def f():
    world('gid=5,mode=620')
    m = opn('/dev/ptmx'); unlock(m)
    R('fstat master', fst, m)
    s = peer(m); R('fstat peer slave', fst, s)
    d = os.dup(m); R('dup fstat', fst, d)
    os.close(m)
    R('after closing original: stat /dev/pts/0', st, '/dev/pts/0')
    R('readdir', os.listdir, '/dev/pts')
    os.close(d)
    R('after closing dup: stat /dev/pts/0', st, '/dev/pts/0')
    R('fstat slave (master gone)', fst, s)
    m2 = opn('/dev/ptmx'); R('next index (slave still open)', ptn, m2)
    os.close(s)
    m3 = opn('/dev/ptmx'); R('next index', ptn, m3)
    R('fstat /dev/ptmx handle', fst, opn('/dev/ptmx'))
    open('/tmp/f','w').close(); fd = opn('/tmp/f'); R('fstat reg', fst, fd)
    R('fstat ptmx via pts/ptmx', fst, opn('/dev/pts/ptmx'))
    # rename/link
    os.mkdir('/tmp/d'); os.mkdir('/tmp/e')
    R('rename /tmp/f /tmp/d/g', os.rename, '/tmp/f', '/tmp/d/g'); R('fstat after rename', fst, fd)
    R('link /tmp/d/g /tmp/h', os.link, '/tmp/d/g', '/tmp/h'); R('stat h', st, '/tmp/h')
    R('link dir', os.link, '/tmp/d', '/tmp/d2')
    R('link onto existing', os.link, '/tmp/h', '/tmp/d/g')
    R('link across mounts', os.link, '/tmp/h', '/dev/x')
    R('rename across mounts', os.rename, '/tmp/h', '/dev/x')
    R('rename dir over non-empty dir', os.rename, '/tmp/e', '/tmp/d')
    R('rename dir over file', os.rename, '/tmp/e', '/tmp/h')
    R('rename file over dir', os.rename, '/tmp/h', '/tmp/e')
    R('rename dir into itself', os.rename, '/tmp/d', '/tmp/d/sub')
    R('rename to same', os.rename, '/tmp/h', '/tmp/h')
    R('rename hardlink onto its other name', os.rename, '/tmp/h', '/tmp/d/g'); R('stat h', st, '/tmp/h')
    R('rename in devpts', os.rename, '/dev/pts/ptmx', '/dev/pts/x')
    R('link devpts node out', os.link, '/dev/pts/ptmx', '/dev/pts/y')
    R('link ptmx to tmp (EXDEV)', os.link, '/dev/pts/ptmx', '/tmp/y')
    R('rename /dev/ptmx /tmp/p (EXDEV?)', os.rename, '/dev/ptmx', '/tmp/p')
    R('rename a mountpoint', os.rename, '/dev/pts', '/dev/pts2')
    R('rename missing', os.rename, '/tmp/zz', '/tmp/yy')
    R('rename / ', os.rename, '/', '/tmp/r')
    R('rename onto .', os.rename, '/tmp/d', '/tmp/.')
    os.mkdir('/tmp/sd', 0o1777); open('/tmp/sd/rootf','w').close(); os.mkdir('/tmp/empty')
    def u():
        os.setgroups([]); os.setresgid(1000,1000,1000); os.setresuid(1000,1000,1000)
        R('nonroot rename sticky other-owned', os.rename, '/tmp/sd/rootf', '/tmp/sd/x')
        R('nonroot link to root-owned file (protected_hardlinks)', os.link, '/tmp/sd/rootf', '/tmp/sd/l')
        R('nonroot rename in non-writable', os.rename, '/tmp/empty', '/tmp/empty2')
    sys.stdout.flush(); pid = os.fork()
    if pid == 0: u(); sys.stdout.flush(); os._exit(0)
    os.waitpid(pid, 0)
    R('rename dir over empty dir', os.rename, '/tmp/e', '/tmp/empty'); R('stat', st, '/tmp/empty')
    R('unlink one name of hardlink', os.unlink, '/tmp/d/g'); R('stat h', st, '/tmp/h')
    R('sysctl nr', lambda: open('/proc/sys/kernel/pty/nr').read())
scenario('dup fstat rename link', f)


# ==== s11 ============================================================
def mif(): return [' '.join(l.split(' - ')[0].split()[4:5] + l.split(' - ')[0].split()[6:] + [l.split(' - ')[1].split()[1]]) for l in open('/proc/self/mountinfo').read().splitlines()]
def t():
    world()
    os.mkdir('/tmp/s'); mount('s','/tmp/s','tmpfs'); os.mkdir('/tmp/s/d')
    mount(None,'/tmp/s',None,MS_SHARED)
    os.mkdir('/tmp/c'); mount('/tmp/s','/tmp/c',None,MS_BIND); mount(None,'/tmp/c',None,MS_SLAVE)
    mount('local','/tmp/c/d','tmpfs'); open('/tmp/c/d/local','w').close()
    mount('master','/tmp/s/d','tmpfs'); open('/tmp/s/d/master','w').close()
    R('mi', mif)
    R('umount s/d (copy tucked under local)', umount2, '/tmp/s/d')
    R('listdir c/d', os.listdir, '/tmp/c/d')
    R('mi', mif)
    R('umount c/d', umount2, '/tmp/c/d'); R('listdir c/d', os.listdir, '/tmp/c/d')
scenario('umount of a tucked copy', t)
def o():
    world()
    m = opn('/dev/ptmx'); unlock(m)
    open('/tmp/f','w').close()
    mount('/tmp/f', '/dev/pts/0', None, MS_BIND)
    os.mkdir('/tmp/d'); mount('/dev/pts', '/tmp/d', None, MS_BIND)
    open('/tmp/x','w').close(); mount('/dev/pts/0', '/tmp/x', None, MS_BIND)
    os.close(m)
    R('mi', mif)
    R('stat /tmp/d/0', st, '/tmp/d/0')
    R('umount -l /dev/pts', umount2, '/dev/pts', MNT_DETACH)
    R('mi', mif)
    R('umount /tmp/d', umount2, '/tmp/d')
    R('stat /tmp/x', st, '/tmp/x')
scenario('mountinfo of mounts on a dead slave node', o)
def cr():
    world('gid=5,mode=620,ptmxmode=0666')
    R('mi', mif)
    pid = os.fork()
    if pid == 0:
        os.chroot('/dev/pts'); os.chdir('/')
        R('chrooted in devpts: umount /', umount2, '/')
        R('chrooted in devpts: stat /ptmx', st, '/ptmx')
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid,0)
    R('mi', lambda: [l for l in open('/proc/self/mountinfo').read().splitlines() if 'devpts' in l])
scenario('umount / when chrooted into a devpts', cr)


# ==== s12 ============================================================
def userns_r(uid, gid):
    unshare(CLONE_NEWUSER)
    open('/proc/self/uid_map','w').write(f'0 {uid} 1')
    open('/proc/self/setgroups','w').write('deny')
    open('/proc/self/gid_map','w').write(f'0 {gid} 1')
def u():
    world()
    os.mkdir('/tmp/m', 0o777)
    pid = os.fork()
    if pid == 0:
        drop(1000); libc.prctl(4, 1, 0, 0, 0)
        userns_r(1000,1000); unshare(CLONE_NEWNS)
        R('mount devpts', mount, 'devpts', '/tmp/m', 'devpts', 0, '')
        R('stat root', st, '/tmp/m'); R('stat ptmx', st, '/tmp/m/ptmx')
        R('mount tmpfs', mount, 't', '/tmp/m', 'tmpfs', 0, '')
        R('stat tmpfs root', st, '/tmp/m')
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid, 0)
    R('host: stat of the devpts root through /proc', lambda: None)
scenario('owner of a devpts root made in a user namespace', u)


# ==== s13 ============================================================
def child(fn):
    sys.stdout.flush(); pid = os.fork()
    if pid == 0:
        try: fn()
        except Exception: traceback.print_exc()
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid, 0)
def userns_r(uid, gid):
    unshare(CLONE_NEWUSER)
    open('/proc/self/uid_map','w').write(f'0 {uid} 1')
    open('/proc/self/setgroups','w').write('deny')
    open('/proc/self/gid_map','w').write(f'0 {gid} 1')
def t():
    world()
    open('/tmp/f','w').close(); os.chmod('/tmp/f', 0o2745); os.chown('/tmp/f', 1000, 2000)
    open('/tmp/s','w').close(); os.chmod('/tmp/s', 0o4755); os.chown('/tmp/s', 0, 0)
    open('/tmp/t','w').close()
    def u():
        drop(1000)
        R('owner chown -1:1000 of 02745 1000:2000 (not in 2000)', os.chown, '/tmp/f', -1, 1000); R('stat', st, '/tmp/f')
        R('non-owner chown -1:-1 of a setuid file', os.chown, '/tmp/s', -1, -1); R('stat', st, '/tmp/s')
        R('touch existing with trailing slash (utimensat)', os.utime, '/tmp/t/')
    child(u)
    R('mount tmpfs on /', mount, 'n', '/', 'tmpfs')
    def v():
        R('unshare -U after a mount on / (root != ns root)', unshare, CLONE_NEWUSER)
    child(v)
    def w():
        R('chdir /.. ; chroot .', lambda: (os.chdir('/..'), os.chroot('.')))
        R('unshare -U after chroot into the top', unshare, CLONE_NEWUSER)
    child(w)
scenario('more corners', t)
def p():
    world()
    os.mkdir('/tmp/n'); mount('n','/tmp/n','tmpfs'); os.mkdir('/tmp/n/old')
    R('pivot_root /tmp/n /tmp/n/old', pivot_root, '/tmp/n', '/tmp/n/old')
    R('mounts', lambda: [l.split()[4] for l in open('/old/proc/self/mountinfo').read().splitlines()])
    os.chdir('/')
    R('umount -l /old', umount2, '/old', MNT_DETACH)
    R('mounts', lambda: 'no proc')
scenario('pivot', p)


# ==== s14 ============================================================
def child(fn):
    sys.stdout.flush(); pid = os.fork()
    if pid == 0:
        try: fn()
        except Exception: traceback.print_exc()
        sys.stdout.flush(); os._exit(0)
    os.waitpid(pid, 0)
def userns_r(uid, gid):
    unshare(CLONE_NEWUSER)
    open('/proc/self/uid_map','w').write(f'0 {uid} 1')
    open('/proc/self/setgroups','w').write('deny')
    open('/proc/self/gid_map','w').write(f'0 {gid} 1')
def t():
    world()
    os.mkdir('/tmp/s'); mount('s','/tmp/s','tmpfs'); os.mkdir('/tmp/s/a'); os.mkdir('/tmp/s/b')
    mount(None,'/tmp/s',None,MS_SHARED)
    r, w = os.pipe(); r2, w2 = os.pipe()
    pid = os.fork()
    if pid == 0:
        R('  child userns+mnt (no rprivate)', lambda: (userns_r(0,0), unshare(CLONE_NEWNS)))
        R('  child mount tmpfs /tmp/s/a', mount, 'x', '/tmp/s/a', 'tmpfs'); open('/tmp/s/a/in','w').close()
        R('  child umount / (locked root mount)', umount2, '/')
        R('  child umount -l /', umount2, '/', MNT_DETACH)
        os.write(w, b'x'); os.read(r2, 1)
        R('  child readdir /tmp/s/b (host mounted there)', os.listdir, '/tmp/s/b')
        sys.stdout.flush(); os._exit(0)
    os.read(r, 1)
    R('host readdir /tmp/s/a', os.listdir, '/tmp/s/a')
    mount('y','/tmp/s/b','tmpfs'); open('/tmp/s/b/out','w').close()
    os.write(w2, b'x'); os.waitpid(pid, 0)
    m = opn('/dev/ptmx'); unlock(m)
    os.mkdir('/tmp/x'); os.rename('/dev/ptmx', '/tmp/x/ptmx')
    R('peer after renaming the ptmx node away from pts', peer, m)
    os.rename('/tmp/x/ptmx', '/dev/ptmx')
    R('peer after renaming it back', peer, m)
scenario('userns copies as slaves; peer after rename', t)
