package io.mydocker;

import com.sun.jna.LastErrorException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Linux namespaces (namespaces(7)): the container gets its own hostname (UTS), process ids (PID),
 * mount table (NS), System V IPC and network stack; and exec enters them.
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

    /**
     * The namespaces that exec enters, those of the container's process pid: the mount namespace
     * last, as nsenter(1) enters it, when the others no longer need the host's /proc.
     */
    static final List<String> OF_A_CONTAINER = List.of("ipc", "uts", "net", "pid", "mnt");

    /**
     * Runs spawn on a throw-away thread that has entered the namespaces of the container's PID 1,
     * pid, which started at startTime (ProcStat), and returns what spawn returns: the pid of the
     * process it started, whose namespaces they are (setns(2) moves a thread into a PID namespace
     * only for its children). Nothing runs if the container is gone: the book's Go code then runs
     * the command on the host, as root (xianlubird/mydocker#79).
     */
    // tag::spawnIn[]
    static int spawnIn(int pid, long startTime, IntSupplier spawn) {
        return onThrowAwayThread(() -> {
            // A thread shares the JVM's root and working directory (its fs_struct), and may not
            // enter a mount namespace with them: it takes a copy of its own first.
            LibC.unshare(LibC.CLONE_FS);
            List<Integer> fds = new ArrayList<>();
            try {
                for (String namespace : OF_A_CONTAINER) {
                    fds.add(LibC.open("/proc/" + pid + "/ns/" + namespace, LibC.O_RDONLY | LibC.O_CLOEXEC, 0));
                }
                // Opened, the namespaces stay what they are; now make sure they are the container's.
                if (ProcStat.startTime(pid) != startTime) {
                    throw new MydockerException(
                            "the container has ended; mydocker exec runs only in a running container");
                }
                for (int fd : fds) {
                    LibC.setns(fd, 0);
                }
            } catch (LastErrorException e) {
                throw LibC.failure("cannot enter the namespaces of the container's process " + pid, e);
            } finally {
                fds.forEach(LibC::close);
            }
            return spawn.getAsInt();
        });
    }
    // end::spawnIn[]

    /** Runs work on a new platform thread, which dies with the namespaces it entered. */
    static int onThrowAwayThread(IntSupplier work) {
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
