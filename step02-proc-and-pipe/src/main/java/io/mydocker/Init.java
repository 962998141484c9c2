package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.StringArray;
import java.util.List;

/**
 * The container's init: the book's `mydocker init`, started by Container in new namespaces. It
 * prepares the container from the inside, then replaces itself with the user's command, which so
 * becomes PID 1. It loads as few classes as it can: no picocli here.
 */
public final class Init {
    private Init() {
    }

    // tag::main[]
    public static void main(String[] args) {
        try {
            List<String> command = InitChannel.readCommand(InitChannel.FD);
            // With -t, stdin is the container's pseudo-terminal: make it our session's terminal.
            if (LibC.isatty(0) == 1) {
                Pty.control(0);
            }
            // Our mount namespace is a copy of the host's, and on systemd hosts "/" is a shared
            // mount: without this, the /proc mounted below would propagate back and break the
            // host's /proc.
            Mounts.mount(null, "/", null, LibC.MS_REC | LibC.MS_PRIVATE, null);
            // A fresh /proc shows the processes of our PID namespace only.
            Mounts.mount("proc", "/proc", "proc", LibC.MS_NOSUID | LibC.MS_NODEV | LibC.MS_NOEXEC, null);
            exec(command);
        } catch (RuntimeException e) {
            System.exit(MydockerException.report(e));
        }
    }
    // end::main[]

    // tag::exec[]
    private static void exec(List<String> command) {
        // The JVM's own fds (jars, the channel, /dev/random) must not leak into the command.
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
