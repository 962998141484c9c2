package io.mydocker;

import com.sun.jna.LastErrorException;
import java.util.function.IntSupplier;

/**
 * Linux namespaces (namespaces(7)): the container gets its own hostname (UTS), process ids (PID),
 * mount table (NS), System V IPC and network stack.
 */
final class Namespaces {
    private Namespaces() {
    }

    // tag::flags[]
    static final int FLAGS = LibC.CLONE_NEWUTS | LibC.CLONE_NEWPID | LibC.CLONE_NEWNS
            | LibC.CLONE_NEWIPC | LibC.CLONE_NEWNET;
    // end::flags[]

    /**
     * Runs spawn, which starts one process, so that the process lands in new namespaces, and
     * returns its pid.
     */
    // tag::spawn[]
    static int spawnInNew(IntSupplier spawn) {
        // unshare(2) moves only the calling thread, and after CLONE_NEWPID that thread can start
        // no more threads, and children only while its first, PID 1, lives. So a throw-away
        // thread unshares, spawns, and dies; the rest of the JVM stays in the host's namespaces.
        return onThrowAwayThread(() -> {
            try {
                LibC.unshare(FLAGS);
            } catch (LastErrorException e) {
                throw new MydockerException("cannot create namespaces: " + LibC.strerror(e.getErrorCode())
                        + "; mydocker needs root and a kernel with namespaces");
            }
            return spawn.getAsInt();
        });
    }

    /** Runs work on a new platform thread, which dies with the namespaces it entered. */
    private static int onThrowAwayThread(IntSupplier work) {
        int[] result = new int[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread thread = new Thread(() -> {
            try {
                result[0] = work.getAsInt();
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "namespaces");
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MydockerException("interrupted while starting the container");
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }
    // end::spawn[]
}
