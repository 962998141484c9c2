package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.StringArray;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The container's init: the book's `mydocker init`, started by Container in new namespaces. It
 * prepares the container from the inside, then replaces itself with the user's command, which so
 * becomes PID 1. It loads as few classes as it can: no picocli here.
 */
public final class Init {
    /**
     * Classes that init may still need after pivot_root. From a jar (./mydocker) any class
     * still loads then, because the jar is open; from a directory of classes (./mvnw exec:java)
     * none does, because the directory is gone. A class literal loads its class: do it now.
     */
    private static final List<Class<?>> USED_AFTER_PIVOT_ROOT = List.of(MydockerException.class, Pty.class);

    private Init() {
    }

    // tag::main[]
    public static void main(String[] args) {
        try {
            // The image's directory comes first, then "true" for a terminal (-t), the hostname,
            // the number of volumes and each one as -v gives it, then the command.
            List<String> message = InitChannel.readCommand(InitChannel.FD);
            Path rootfs = Path.of(message.get(0));
            boolean tty = Boolean.parseBoolean(message.get(1));
            String hostname = message.get(2);
            int volumes = Integer.parseInt(message.get(3));
            List<String> command = message.subList(4 + volumes, message.size());
            // Our mount namespace is a copy of the host's, and on systemd hosts "/" is a shared
            // mount: without this, the mounts below would propagate back to the host, and
            // pivot_root would fail.
            Mounts.mount(null, "/", null, LibC.MS_REC | LibC.MS_PRIVATE, null);
            // tag::hostname[]
            // In our own UTS namespace: the host keeps its name.
            byte[] name = hostname.getBytes(StandardCharsets.UTF_8);
            LibC.sethostname(name, name.length);
            // end::hostname[]
            // Before pivot_root, while the host's directories are still in sight: the bind of the
            // root onto itself (MS_REC) then takes them along.
            for (String volume : message.subList(4, 4 + volumes)) {
                Volume.parse(volume).mount(rootfs);
            }
            RootFs.pivotRoot(rootfs);
            int terminal = tty ? Pty.openInContainer() : InitChannel.NO_TERMINAL;
            InitChannel.signalReadyAndAwaitGo(InitChannel.FD, terminal);
            exec(command);
        } catch (RuntimeException e) {
            System.exit(MydockerException.report(e));
        }
    }
    // end::main[]

    // tag::exec[]
    private static void exec(List<String> command) {
        // The JVM's own fds (jars, the channel, the terminal's master, /dev/random) must not leak
        // into the command.
        LibC.close_range(InitChannel.FD, -1, LibC.CLOSE_RANGE_CLOEXEC);
        try {
            LibC.execvp(command.get(0), new StringArray(command.toArray(new String[0])));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.ENOENT) {
                throw new MydockerException(MydockerException.NOT_FOUND, command.get(0)
                        + ": command not found in the container; check its name and PATH");
            }
            throw new MydockerException(MydockerException.CANNOT_EXECUTE, command.get(0)
                    + ": cannot execute: " + LibC.strerror(e.getErrorCode())
                    + "; check that it is an executable program");
        }
    }
    // end::exec[]
}
