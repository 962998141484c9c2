package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The C library functions mydocker calls, bound with JNA's direct mapping: each native method
 * here is the C function of the same name. A method that declares LastErrorException throws it
 * when the function fails, carrying errno.
 */
final class LibC {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private LibC() {
    }

    // Namespace flags, from clone(2).
    static final int CLONE_NEWNS = 0x00020000;
    static final int CLONE_NEWUTS = 0x04000000;
    static final int CLONE_NEWIPC = 0x08000000;
    static final int CLONE_NEWPID = 0x20000000;
    static final int CLONE_NEWNET = 0x40000000;

    // errno values, from errno(3).
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int ENOTDIR = 20;
    static final int ELOOP = 40;

    // mount(2) flags.
    static final long MS_RDONLY = 1;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final long MS_NOEXEC = 8;
    static final long MS_REMOUNT = 32;
    static final long MS_BIND = 4096;
    static final long MS_REC = 16384;
    static final long MS_PRIVATE = 1 << 18;
    /** umount2(2): detach the mount now, and free it once nothing uses it any more. */
    static final int MNT_DETACH = 2;

    // File types for mknod(2), from inode(7).
    static final int S_IFCHR = 0020000;

    // open(2) flags.
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NOCTTY = 0400;
    static final int O_CLOEXEC = 02000000;
    /** open(2): an fd that only names a file, opened neither to read nor to write. */
    static final int O_PATH = 010000000;
    /** open(2): not through a symbolic link; the kernel's asm/fcntl.h has another value on aarch64. */
    static final int O_NOFOLLOW = "aarch64".equals(System.getProperty("os.arch")) ? 0100000 : 0400000;
    // openat2(2): resolve a path only beneath the fd given, through no symbolic link, and through
    // no magic link such as /proc/self/root either.
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_NO_SYMLINKS = 0x04;
    static final long RESOLVE_BENEATH = 0x08;

    // statx(2): an empty path means the file the fd names, a symbolic link itself included; and
    // the fields that struct stat has.
    static final int AT_EMPTY_PATH = 0x1000;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int STATX_BASIC_STATS = 0x7ff;
    /** sizeof(struct statx), which, unlike struct stat, is laid out alike on every architecture. */
    static final int STATX_SIZE = 256;

    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 02000000;
    /** recvmsg(2): an fd that comes with a message is close-on-exec in the receiver. */
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int CLOSE_RANGE_CLOEXEC = 4;
    static final int SIGKILL = 9;

    // waitid(2): which process, what to wait for, and to leave it a zombie, not yet reaped.
    static final int P_PID = 1;
    static final int WEXITED = 4;
    static final int WNOWAIT = 0x01000000;
    /** sizeof(siginfo_t), which waitid fills in. */
    static final int SIGINFO_SIZE = 128;

    // Terminal requests for ioctl(2), from ioctl_tty(2).
    static final long TIOCSCTTY = 0x540E;
    static final long TIOCGWINSZ = 0x5413;
    static final long TIOCSWINSZ = 0x5414;
    /** sizeof(struct winsize): rows, columns and two unused sizes, each an unsigned short. */
    static final int WINSIZE_SIZE = 8;
    /** sizeof(struct termios) in glibc on Linux. */
    static final int TERMIOS_SIZE = 60;
    /** tcsetattr(3): change the terminal's settings now. */
    static final int TCSANOW = 0;

    /** geteuid(2): 0 when we run as root. */
    static native int geteuid();

    /** unshare(2): moves the calling thread (not the process!) into new namespaces. */
    static native int unshare(int flags) throws LastErrorException;

    /** kill(2): sends a signal to a process. */
    static native int kill(int pid, int signal) throws LastErrorException;

    /** waitpid(2): waits for a child to end and fills in its status. */
    static native int waitpid(int pid, int[] status, int options) throws LastErrorException;

    /** waitid(2): with WNOWAIT, waits for a child to end but leaves it to be reaped later. */
    static native int waitid(int idtype, int id, Pointer infop, int options) throws LastErrorException;

    /** open(2); mode is the new file's, with O_CREAT. */
    static native int open(String path, int flags, int mode) throws LastErrorException;

    /** pipe2(2): a one-way channel, fds[0] to read from and fds[1] to write to. */
    static native int pipe2(int[] fds, int flags) throws LastErrorException;

    /** socketpair(2): two connected sockets, a pipe that works in both directions. */
    static native int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

    /** sendmsg(2): sends a message, here with an fd attached (unix(7), SCM_RIGHTS). */
    static native long sendmsg(int socket, Pointer message, int flags) throws LastErrorException;

    /** recvmsg(2): receives a message, and any fd attached to it. */
    static native long recvmsg(int socket, Pointer message, int flags) throws LastErrorException;

    /** read(2) */
    static native long read(int fd, byte[] buf, long count) throws LastErrorException;

    /** write(2) */
    static native long write(int fd, byte[] buf, long count) throws LastErrorException;

    /** write(2) until all of bytes[0..length) is written: one write may take only a part. */
    static void writeAll(int fd, byte[] bytes, int length) {
        for (int done = 0; done < length; ) {
            byte[] rest = Arrays.copyOfRange(bytes, done, length);
            done += (int) restartOnEintr(() -> write(fd, rest, rest.length));
        }
    }

    /** close(2) */
    static native int close(int fd) throws LastErrorException;

    /** dup2(2): makes newFd a copy of oldFd. */
    static native int dup2(int oldFd, int newFd) throws LastErrorException;

    /** close_range(2): with CLOSE_RANGE_CLOEXEC, marks fds close-on-exec instead of closing them. */
    static native int close_range(int first, int last, int flags) throws LastErrorException;

    /** isatty(3): 1 when the fd is a terminal. */
    static native int isatty(int fd);

    /** ioctl(2): a request to a device, here always a terminal (ioctl_tty(2)). */
    static native int ioctl(int fd, long request, Pointer argument) throws LastErrorException;

    /** posix_openpt(3): opens the master side of a new pseudo-terminal (pty(7)). */
    static native int posix_openpt(int flags) throws LastErrorException;

    /** grantpt(3): gives the pseudo-terminal's slave to us (a formality on Linux's devpts). */
    static native int grantpt(int master) throws LastErrorException;

    /** unlockpt(3): lets the slave be opened. */
    static native int unlockpt(int master) throws LastErrorException;

    /** ptsname(3): the slave's path, such as /dev/pts/3. */
    static native String ptsname(int master) throws LastErrorException;

    /** tcgetattr(3): reads a terminal's settings into a struct termios. */
    static native int tcgetattr(int fd, Pointer termios) throws LastErrorException;

    /** tcsetattr(3): changes a terminal's settings. */
    static native int tcsetattr(int fd, int when, Pointer termios) throws LastErrorException;

    /** cfmakeraw(3): turns settings into raw mode: no echo, no line editing, no signal keys. */
    static native void cfmakeraw(Pointer termios);

    /** sethostname(2): the name of our UTS namespace, the container's hostname. */
    static native int sethostname(byte[] name, long length) throws LastErrorException;

    /** umount2(2) */
    static native int umount2(String target, int flags) throws LastErrorException;

    /** rmdir(2) */
    static native int rmdir(String path) throws LastErrorException;

    /** chdir(2) */
    static native int chdir(String path) throws LastErrorException;

    /** mknod(2): creates a device node; dev is makedev(3) of its major and minor numbers. */
    static native int mknod(String path, int mode, long dev) throws LastErrorException;

    /** chmod(2): unlike Java's file permissions, it keeps the setuid, setgid and sticky bits. */
    static native int chmod(String path, int mode) throws LastErrorException;

    /** lchown(2): changes the owner of a file, or of a symbolic link itself. */
    static native int lchown(String path, int owner, int group) throws LastErrorException;

    /** statx(2): a file's type, mode, owner, size and times, into a struct statx. */
    static native int statx(int dirfd, String path, int flags, int mask, Pointer statx) throws LastErrorException;

    /** readlinkat(2): a symbolic link's target, its length returned and no NUL after it. */
    static native long readlinkat(int dirfd, String path, byte[] buf, long size) throws LastErrorException;

    /** syscall(2): calls a system call by its number, for those glibc has no function for. */
    static native long syscall(long number, String arg1, String arg2) throws LastErrorException;

    /** syscall(2) with the arguments of openat2. */
    static native long syscall(long number, long dirfd, String path, long[] how, long size) throws LastErrorException;

    /**
     * openat2(2): opens path relative to dirfd, resolving it as resolve says. glibc has no
     * wrapper; the number is 437 on every architecture. The struct open_how it takes is flags,
     * mode and resolve, each 64 bits.
     */
    static int openat2(int dirfd, String path, int flags, long resolve) {
        return (int) syscall(437, dirfd, path, new long[] {flags, 0, resolve}, 3 * Long.BYTES);
    }

    /**
     * pivot_root(2): makes newRoot the root file system of our mount namespace and moves the old
     * root to putOld. glibc has no wrapper, and the number differs between architectures.
     */
    static void pivot_root(String newRoot, String putOld) {
        long number = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> 155;
            case "aarch64" -> 41;
            default -> throw new MydockerException("pivot_root: unsupported architecture "
                    + System.getProperty("os.arch") + "; mydocker knows x86_64 and aarch64");
        };
        try {
            syscall(number, newRoot, putOld);
        } catch (LastErrorException e) {
            throw failure("pivot_root(" + newRoot + ", " + putOld + ")", e);
        }
    }

    /** strerror(3): the text of an error number, such as "Permission denied". */
    static native String strerror(int error);

    /** mount(2) */
    static native int mount(String source, String target, String fstype, long flags, String data)
            throws LastErrorException;

    /** execvp(3): replaces this process with a program found on PATH; returns only on failure. */
    static native int execvp(String file, Pointer argv) throws LastErrorException;

    /**
     * Makes a call again as long as it fails with EINTR: a signal that arrives while a call
     * waits interrupts it, and then the call simply has to be made again (signal(7)).
     */
    static long restartOnEintr(LongSupplier call) {
        while (true) {
            try {
                return call.getAsLong();
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw e;
                }
            }
        }
    }

    /** A failed call as runc reports one: the call, what it was called on, and why it failed. */
    static MydockerException failure(String call, LastErrorException e) {
        return new MydockerException(call + ": " + strerror(e.getErrorCode()));
    }
}
