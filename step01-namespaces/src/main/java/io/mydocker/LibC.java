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

    static final int CLOSE_RANGE_CLOEXEC = 4;

    /** geteuid(2): 0 when we run as root. */
    static native int geteuid();

    /** unshare(2): moves the calling thread (not the process!) into new namespaces. */
    static native int unshare(int flags) throws LastErrorException;

    /** waitpid(2): waits for a child to end and fills in its status. */
    static native int waitpid(int pid, int[] status, int options) throws LastErrorException;

    /** close_range(2): with CLOSE_RANGE_CLOEXEC, marks fds close-on-exec instead of closing them. */
    static native int close_range(int first, int last, int flags) throws LastErrorException;

    /** execv(3): replaces this process with the program at path; returns only on failure. */
    static native int execv(String path, Pointer argv) throws LastErrorException;
}
