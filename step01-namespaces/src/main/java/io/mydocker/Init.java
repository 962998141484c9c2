package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.StringArray;
import java.util.List;

/**
 * The container's init: the book's `mydocker init`, started by Container in new namespaces. It
 * replaces itself with the user's command, which so becomes PID 1. It loads as few classes as it
 * can: no picocli here.
 */
public final class Init {
    private Init() {
    }

    // tag::main[]
    public static void main(String[] args) {
        try {
            if (args.length == 0) {
                throw new MydockerException("init: no command; init is started by mydocker run, not by hand");
            }
            // With -t, stdin is the container's pseudo-terminal: make it our session's terminal.
            if (LibC.isatty(0) == 1) {
                Pty.control(0);
            }
            exec(List.of(args));
        } catch (RuntimeException e) {
            System.exit(MydockerException.report(e));
        }
    }
    // end::main[]

    // tag::exec[]
    private static void exec(List<String> command) {
        // The JVM's own fds (jars, /dev/random) must not leak into the command.
        LibC.close_range(3, -1, LibC.CLOSE_RANGE_CLOEXEC);
        try {
            LibC.execv(command.get(0), new StringArray(command.toArray(new String[0])));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.ENOENT) {
                throw new MydockerException(MydockerException.NOT_FOUND, command.get(0)
                        + ": no such file; this step does not search PATH, so give a full path such as /bin/sh");
            }
            throw new MydockerException(MydockerException.CANNOT_EXECUTE, command.get(0)
                    + ": cannot execute: " + LibC.strerror(e.getErrorCode())
                    + "; check that it is an executable program");
        }
    }
    // end::exec[]
}
