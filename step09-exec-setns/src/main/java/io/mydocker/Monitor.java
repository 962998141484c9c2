package io.mydocker;

import com.sun.jna.LastErrorException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The monitor of a detached container (`run -d`), as containerd-shim and conmon are for docker
 * and Podman: a JVM of its own, in a session of its own, started by `run -d` and left behind. It
 * is the container's parent: it runs the container as a foreground `mydocker run` does, waits
 * for it, records how it ended, and releases its mount and its cgroup. It has no picocli and no
 * terminal: it reads the container's record, and tells `run -d` on fd 3 that the container runs,
 * or why it does not.
 */
public final class Monitor {
    /** The pipe to `run -d`, which waits on it. */
    static final int FD = 3;
    /** What the monitor says on FD when the container runs. */
    static final String STARTED = "started";
    /** The monitor's own log, for what goes wrong after the start. */
    static final String LOG = "monitor.log";

    private Monitor() {
    }

    // tag::main[]
    public static void main(String[] args) throws InterruptedException {
        Path root = Path.of(args[0]);
        ContainerRecord record = Containers.load(root, args[1]);
        boolean[] started = {false};
        Path log = Containers.dir(root, record.id()).resolve(Containers.LOG);
        try (Stdio stdio = Stdio.toLog(log, record.interactive())) {
            Container.run(root, record, stdio, () -> {
                tell(STARTED);
                started[0] = true;
            });
        } catch (RuntimeException e) {
            if (!started[0]) {
                // run -d prints the error, and the container never was.
                tell(e instanceof MydockerException m ? m.exitCode + " " + m.getMessage()
                        : MydockerException.OWN_ERROR + " unexpected error: " + e);
                Containers.remove(root, record.id());
                System.exit(MydockerException.OWN_ERROR);
            }
            System.exit(MydockerException.report(e));
        }
        if (record.autoRemove()) {
            Containers.remove(root, record.id());
        }
        System.exit(0);
    }
    // end::main[]

    /**
     * `run -d`'s side: starts the monitor of record in a session of its own, with nothing of the
     * caller's terminal, waits until it tells how the start went, and prints the container's ID.
     */
    // tag::start[]
    static int start(Path root, ContainerRecord record) {
        Path dir = Containers.dir(root, record.id());
        int[] pipe = new int[2];
        LibC.pipe2(pipe, LibC.O_CLOEXEC);
        int nothing = LibC.open("/dev/null", LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        // Its own errors, after the start, go to a log of its own.
        int log = LibC.open(dir.resolve(LOG).toString(),
                LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND | LibC.O_CLOEXEC, 0600);
        try {
            PosixSpawn.spawn(SelfExe.monitorCommand(root, record.id()),
                    List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"), new int[] {nothing, nothing, log},
                    pipe[1]);
        } finally {
            LibC.close(pipe[1]);
            LibC.close(nothing);
            LibC.close(log);
        }
        String news = readAll(pipe[0]);
        LibC.close(pipe[0]);
        if (news.equals(STARTED)) {
            System.out.println(record.id());
            return 0;
        }
        if (news.isEmpty()) {
            throw new MydockerException("the monitor of container " + record.id() + " ended before the container ran;"
                    + " see " + dir.resolve(LOG) + ", then remove the container with mydocker rm " + record.name());
        }
        // "CODE MESSAGE"
        int space = news.indexOf(' ');
        throw new MydockerException(Integer.parseInt(news.substring(0, space)), news.substring(space + 1));
    }
    // end::start[]

    private static String readAll(int fd) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (long n; (n = LibC.restartOnEintr(() -> LibC.read(fd, buffer, buffer.length))) > 0; ) {
            all.write(buffer, 0, (int) n);
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    /** Tells run -d how the start went, once: closing FD then lets it exit. */
    private static void tell(String news) {
        byte[] bytes = news.getBytes(StandardCharsets.UTF_8);
        try {
            LibC.writeAll(FD, bytes, bytes.length);
            LibC.close(FD);
        } catch (LastErrorException e) {
            // run -d is gone (killed): nobody to tell
        }
    }
}
