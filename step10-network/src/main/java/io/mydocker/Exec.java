package io.mydocker;

import com.sun.jna.LastErrorException;
import java.util.List;

/**
 * The helper that `mydocker exec` starts, as it starts init for run: a JVM of mydocker's own,
 * on the host, which joins a running container and starts a command in it. It enters the
 * container's namespaces (Namespaces.spawnIn), and is put into the container's cgroup by
 * mydocker before it starts the command, which so is born in both: its limits apply to it from
 * its first instruction on. (The JVM's own memory stays charged where it was: charges do not
 * move with a process, see chapter 3.) Then it waits for the command, and ends with its status.
 */
public final class Exec {
    /**
     * Classes that the thread in the container's mount namespace may need: it finds files in the
     * container's root, where the classes of a directory (./mvnw exec:java) are not. A class
     * literal loads its class: do it now, as Init does before pivot_root.
     */
    private static final List<Class<?>> USED_IN_THE_CONTAINER = List.of(PosixSpawn.class, Pty.class,
            MydockerException.class);

    private Exec() {
    }

    // tag::main[]
    public static void main(String[] args) {
        try {
            // The container's PID 1 and its start time, "true" for a terminal (-t), the working
            // directory, the number of environment variables and each, then the command.
            List<String> message = InitChannel.readCommand(InitChannel.FD);
            int pid = Integer.parseInt(message.get(0));
            long startTime = Long.parseLong(message.get(1));
            boolean tty = Boolean.parseBoolean(message.get(2));
            String directory = message.get(3);
            int variables = Integer.parseInt(message.get(4));
            List<String> env = message.subList(5, 5 + variables);
            List<String> command = message.subList(5 + variables, message.size());
            try (StopSignals signals = new StopSignals()) {
                int child = Namespaces.spawnIn(pid, startTime, () -> {
                    // In the container's namespaces now: its /dev/pts, its root.
                    Pty pty = tty ? Pty.open() : null;
                    InitChannel.signalReadyAndAwaitGo(InitChannel.FD, tty ? pty.master : InitChannel.NO_TERMINAL);
                    try {
                        LibC.chdir(directory);
                    } catch (LastErrorException e) {
                        throw LibC.failure("-w " + directory + ": chdir", e);
                    }
                    return PosixSpawn.spawnCommand(command, env, tty ? LibC.ptsname(pty.master) : null);
                });
                signals.started(child);
                Container.awaitExit(child);
                signals.exited();
                System.exit(Container.reap(child));
            }
        } catch (RuntimeException e) {
            System.exit(MydockerException.report(e));
        }
    }
    // end::main[]
}
