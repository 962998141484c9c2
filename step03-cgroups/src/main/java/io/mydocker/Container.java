package io.mydocker;

import com.sun.jna.Memory;
import java.util.ArrayList;
import java.util.List;

/**
 * One `mydocker run`: start init in new namespaces, hand it the command, wait for the end, and
 * clean up, however it ended.
 */
final class Container {
    private Container() {
    }

    // tag::run[]
    static int run(List<String> command, boolean interactive, boolean tty, Resources resources)
            throws InterruptedException {
        String id = ContainerId.random();
        try (StopSignals signals = new StopSignals();
                Stdio stdio = Stdio.open(interactive, tty);
                Cgroup cgroup = Cgroup.create(Cgroup.ROOT, id, resources)) {
            int[] channel = new int[2];
            LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, channel);
            int pid;
            try {
                pid = Namespaces.spawnInNew(() -> PosixSpawn.spawn(
                        SelfExe.initCommand(), environment(tty), stdio.container, channel[1]));
            } catch (RuntimeException e) {
                LibC.close(channel[0]);
                throw e;
            } finally {
                LibC.close(channel[1]);
            }
            stdio.closeHandedOver();
            signals.started(pid);
            try {
                // Only a ready init joins the cgroup: the JVM it runs is not the container's.
                if (InitChannel.sendCommandAndAwaitReady(channel[0], command)) {
                    cgroup.add(pid);
                }
                InitChannel.go(channel[0]); // init's cue to exec the command
            } catch (RuntimeException e) {
                signals.exited();
                kill(pid);
                throw e;
            } finally {
                LibC.close(channel[0]);
            }
            awaitExit(pid);
            signals.exited();
            int status = reap(pid);
            stdio.finish();
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
        reap(pid);
    }

    // tag::wait[]
    /**
     * Waits until the container has ended, without reaping it (waitid(2) with WNOWAIT): until it
     * is reaped its pid stays taken, so a signal meant for it cannot reach a stranger.
     */
    private static void awaitExit(int pid) {
        Memory info = new Memory(LibC.SIGINFO_SIZE);
        LibC.restartOnEintr(() -> LibC.waitid(LibC.P_PID, pid, info, LibC.WEXITED | LibC.WNOWAIT));
    }

    /** Reaps the ended container (waitpid(2)): its shell-style exit status, 128 + n for signal n. */
    static int reap(int pid) {
        int[] status = new int[1];
        LibC.restartOnEintr(() -> LibC.waitpid(pid, status, 0));
        int signal = status[0] & 0x7f;
        return signal == 0 ? (status[0] >> 8) & 0xff : 128 + signal;
    }
    // end::wait[]
}
