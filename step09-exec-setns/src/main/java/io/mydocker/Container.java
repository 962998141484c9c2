package io.mydocker;

import com.sun.jna.Memory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's life on the host: mount its layers, start init in new namespaces, hand it the
 * root file system and the command, record that it runs, wait for the end, record it, and
 * release what it held, however it ended. Whoever runs this is the container's monitor, its
 * parent: `mydocker run` itself, or with -d the Monitor that it starts.
 */
final class Container {
    /** Each container's record, log and layers are in CONTAINERS/ID under the state root. */
    static final String CONTAINERS = "containers";

    private Container() {
    }

    /**
     * Runs the container of record, which Containers.create made, with stdio as its stdin,
     * stdout and stderr, and returns its exit status. started is told when it runs.
     */
    // tag::run[]
    static int run(Path root, ContainerRecord record, Stdio stdio, Runnable started) throws InterruptedException {
        String id = record.id();
        try (StopSignals signals = new StopSignals();
                Cgroup cgroup = Cgroup.create(Cgroup.ROOT, id, record.resources())) {
            Overlay rootfs = Overlay.mount(root.resolve(Image.LAYERS).resolve(record.imageId()),
                    Containers.dir(root, id));
            int[] channel = new int[2];
            LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, channel);
            int pid;
            try {
                pid = Namespaces.spawnInNew(() -> PosixSpawn.spawn(
                        SelfExe.initCommand(), environment(record.tty(), record.env()), stdio.container, channel[1]));
            } catch (RuntimeException e) {
                LibC.close(channel[0]);
                throw e;
            } finally {
                LibC.close(channel[1]);
            }
            stdio.closeHandedOver();
            signals.started(pid);
            ContainerRecord running = record.running(pid, (int) ProcessHandle.current().pid());
            try {
                List<String> message = new ArrayList<>(List.of(rootfs.merged.toString(), Boolean.toString(record.tty()),
                        record.hostname(), Integer.toString(record.volumes().size())));
                message.addAll(record.volumes());
                message.addAll(record.command());
                // Only a ready init joins the cgroup: the JVM it runs is not the container's. With
                // -t, init's "ready" brings the terminal it made for the container.
                if (InitChannel.sendCommandAndAwaitReady(channel[0], message, stdio::attach)) {
                    cgroup.add(pid);
                }
                Containers.save(root, running);
                InitChannel.go(channel[0]); // init's cue to exec the command
            } catch (RuntimeException e) {
                signals.exited();
                kill(pid);
                throw e;
            } finally {
                LibC.close(channel[0]);
            }
            started.run();
            awaitExit(pid);
            signals.exited();
            int status = reap(pid);
            Containers.save(root, running.exited(status));
            stdio.finish();
            if (cgroup.oomKilled()) {
                System.err.println("mydocker: the container was killed because it used more than its memory limit ("
                        + record.resources().memory() + "); give it more with -m");
            }
            return status;
        } finally {
            Overlay.unmount(Containers.dir(root, id));
        }
    }
    // end::run[]

    /**
     * Releases what a container holds on the host while it runs, its overlay mount and its
     * cgroup, for rm when the container's monitor could not (it was killed). Its files, the
     * layer, the record and the log, stay until then. Safe to do twice.
     */
    // tag::release[]
    static void release(Path root, String id) {
        Overlay.unmount(Containers.dir(root, id));
        Cgroup.remove(Cgroup.ROOT, id);
    }
    // end::release[]

    /**
     * Stops the container, as docker stop does: SIGTERM, then, if it has not ended when the
     * grace period is over, SIGKILL; a grace of 0 is SIGKILL at once. PID 1 of a PID namespace
     * gets no signal it has no handler for (pid_namespaces(7)), but SIGKILL from the host always
     * reaches it. Returns once the container has ended and its monitor has recorded it.
     */
    // tag::stop[]
    static void stop(Path root, ContainerRecord record, int graceSeconds) throws InterruptedException {
        if (graceSeconds > 0 && record.isRunning()) {
            LibC.kill(record.pid(), LibC.SIGTERM);
        }
        if (!awaitEnd(root, record.id(), graceSeconds)) {
            if (record.isRunning()) {
                LibC.kill(record.pid(), LibC.SIGKILL);
            }
            if (!awaitEnd(root, record.id(), 30)) {
                throw new MydockerException("container " + record.name() + " did not end when it was killed;"
                        + " see its processes with ps, from its PID " + record.pid());
            }
        }
    }
    // end::stop[]

    /**
     * Waits up to seconds until the container has ended and its monitor has recorded it, or
     * is gone too (the monitor of a --rm container removes it). Whether it has.
     */
    private static boolean awaitEnd(Path root, String id, int seconds) throws InterruptedException {
        for (long deadline = System.nanoTime() + seconds * 1_000_000_000L; ; Thread.sleep(100)) {
            ContainerRecord now = Containers.loadIfThere(root, id);
            if (now == null || !now.isRunning() && !now.hasMonitor()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
        }
    }

    /**
     * A fresh environment, as docker gives one: nothing of the caller's leaks in, but what -e
     * names. A variable of -e replaces a default of the same name.
     */
    // tag::environment[]
    static List<String> environment(boolean tty, List<String> variables) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("HOME", "HOME=/root");
        // A UTF-8 locale, so that the init JVM passes non-ASCII arguments and names through intact.
        env.put("LANG", "LANG=C.UTF-8");
        if (tty) {
            String term = System.getenv("TERM");
            env.put("TERM", "TERM=" + (term == null ? "xterm" : term));
        }
        for (String variable : variables) {
            env.put(variable.substring(0, variable.indexOf('=')), variable);
        }
        return new ArrayList<>(env.values());
    }
    // end::environment[]

    /**
     * The -e values as NAME=VALUE, checked: a NAME alone takes its value from the caller, as
     * docker does, and is left out if the caller has none.
     */
    // tag::variables[]
    static List<String> variables(List<String> given) {
        List<String> variables = new ArrayList<>();
        for (String variable : given) {
            String name = variable.contains("=") ? variable.substring(0, variable.indexOf('=')) : variable;
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new MydockerException("invalid environment variable '" + variable
                        + "': give NAME=VALUE, with a NAME of letters, digits and '_'");
            }
            if (variable.contains("=")) {
                variables.add(variable);
            } else if (System.getenv(name) != null) {
                variables.add(name + "=" + System.getenv(name));
            }
        }
        return variables;
    }
    // end::variables[]

    private static void kill(int pid) {
        LibC.kill(pid, LibC.SIGKILL);
        reap(pid);
    }

    // tag::wait[]
    /**
     * Waits until the container has ended, without reaping it (waitid(2) with WNOWAIT): until it
     * is reaped its pid stays taken, so a signal meant for it cannot reach a stranger.
     */
    static void awaitExit(int pid) {
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
