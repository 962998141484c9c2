package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

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

    // mount(2) flags.
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final long MS_NOEXEC = 8;
    static final long MS_BIND = 4096;
    static final long MS_REC = 16384;
    static final long MS_PRIVATE = 1 << 18;
    /** umount2(2): detach the mount now, and free it once nothing uses it any more. */
    static final int MNT_DETACH = 2;

    // File types for mknod(2), from inode(7).
    static final int S_IFCHR = 0020000;

    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 02000000;
    static final int CLOSE_RANGE_CLOEXEC = 4;
    static final int SIGKILL = 9;

    /** geteuid(2): 0 when we run as root. */
    static native int geteuid();

    /** unshare(2): moves the calling thread (not the process!) into new namespaces. */
    static native int unshare(int flags) throws LastErrorException;

    /** kill(2): sends a signal to a process. */
    static native int kill(int pid, int signal) throws LastErrorException;

    /** waitpid(2): waits for a child to end and fills in its status. */
    static native int waitpid(int pid, int[] status, int options) throws LastErrorException;

    /** socketpair(2): two connected sockets, a pipe that works in both directions. */
    static native int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

    /** read(2) */
    static native long read(int fd, byte[] buf, long count) throws LastErrorException;

    /** write(2) */
    static native long write(int fd, byte[] buf, long count) throws LastErrorException;

    /** close(2) */
    static native int close(int fd) throws LastErrorException;

    /** close_range(2): with CLOSE_RANGE_CLOEXEC, marks fds close-on-exec instead of closing them. */
    static native int close_range(int first, int last, int flags) throws LastErrorException;

    /** mount(2) */
    static native int mount(String source, String target, String fstype, long flags, String data)
            throws LastErrorException;

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

    /** isatty(3): 1 when the fd is a terminal. */
    static native int isatty(int fd);

    /** ttyname(3): the path of the terminal an fd is open on, such as /dev/pts/0. */
    static native String ttyname(int fd) throws LastErrorException;

    /** syscall(2): calls a system call by its number, for those glibc has no function for. */
    static native long syscall(long number, String arg1, String arg2) throws LastErrorException;

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
        syscall(number, newRoot, putOld);
    }

    /** execvp(3): replaces this process with a program found on PATH; returns only on failure. */
    static native int execvp(String file, Pointer argv) throws LastErrorException;
}
