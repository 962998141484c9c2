package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One `mydocker run`: mount the container's layers, start init in new namespaces, hand it the
 * root file system and the command, wait for the end, and clean up, however it ended.
 */
final class Container {
    /** Each container's layers are in CONTAINERS/ID under the state root, while it runs. */
    static final String CONTAINERS = "containers";

    private Container() {
    }

    // tag::run[]
    static int run(Path root, Path image, List<String> command, boolean interactive, boolean tty,
            Resources resources) {
        String id = ContainerId.random();
        try (StopSignals signals = new StopSignals(tty);
                Cgroup cgroup = Cgroup.create(Cgroup.ROOT, id, resources);
                Overlay rootfs = Overlay.mount(image, root.resolve(CONTAINERS).resolve(id))) {
            int[] channel = new int[2];
            LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, channel);
            int pid;
            try {
                pid = Namespaces.spawnInNew(() -> PosixSpawn.spawn(
                        SelfExe.initCommand(), environment(tty), interactive, channel[1]));
            } catch (RuntimeException e) {
                LibC.close(channel[0]);
                throw e;
            } finally {
                LibC.close(channel[1]);
            }
            signals.started(pid);
            try {
                List<String> message = new ArrayList<>(List.of(rootfs.merged.toString()));
                message.addAll(command);
                // Only a ready init joins the cgroup: the JVM it runs is not the container's.
                if (InitPipe.sendCommandAndAwaitReady(channel[0], message)) {
                    cgroup.add(pid);
                }
            } catch (RuntimeException e) {
                signals.exited();
                kill(pid);
                throw e;
            } finally {
                LibC.close(channel[0]); // init's cue to exec the command
            }
            int status = waitFor(pid, signals);
            if (cgroup.oomKilled()) {
                System.err.println("mydocker: the container was killed because it used more than its memory limit ("
                        + resources.memory() + "); give it more with -m");
            }
            return status;
        }
    }
    // end::run[]

    /** A fresh environment, as docker gives one: nothing of the caller's leaks in. */
    private static List<String> environment(boolean tty) {
        List<String> env = new ArrayList<>();
        env.add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.add("HOME=/root");
        // A UTF-8 locale, so that the init JVM passes non-ASCII arguments and names through intact.
        env.add("LANG=C.UTF-8");
        if (tty) {
            String term = System.getenv("TERM");
            env.add("TERM=" + (term == null ? "xterm" : term));
        }
        return env;
    }

    private static void kill(int pid) {
        LibC.kill(pid, LibC.SIGKILL);
        waitFor(pid);
    }

    /** Waits until the container has ended, stops passing signals to it, then reaps it. */
    private static int waitFor(int pid, StopSignals signals) {
        Memory info = new Memory(LibC.SIGINFO_SIZE);
        while (true) {
            try {
                LibC.waitid(LibC.P_PID, pid, info, LibC.WEXITED | LibC.WNOWAIT);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw e;
                }
            }
        }
        signals.exited();
        return waitFor(pid);
    }

    /** waitpid(2), turned into a shell-style exit status: 128 + n for death by signal n. */
    static int waitFor(int pid) {
        int[] status = new int[1];
        while (true) {
            try {
                LibC.waitpid(pid, status, 0);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw e;
                }
            }
        }
        int signal = status[0] & 0x7f;
        return signal == 0 ? (status[0] >> 8) & 0xff : 128 + signal;
    }
}
