package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The container's standard input, output and error: the fds it gets as 0, 1 and 2. Files and
 * pipes of the caller are handed over as they are. The caller's terminal never is: a process
 * that holds a terminal open can type into it (the TIOCSTI request of ioctl_tty(2)) as long as it
 * has CAP_SYS_ADMIN, which a container run by root has, and what it types, the caller's shell
 * runs once mydocker has exited. So in a terminal's place the container gets a pipe, or with -t
 * the slave of a pseudo-terminal of its own (Pty), and mydocker copies between the two while the
 * container runs, as docker does.
 */
final class Stdio implements AutoCloseable {
    private static final Signal WINDOW_CHANGED = new Signal("WINCH");
    private static final int NONE = -1;

    /** What the container gets as its fds 0, 1 and 2. */
    final int[] container = new int[3];
    /** Our copies of the container's fds, closed as soon as it has its own. */
    private final List<Integer> handedOver = new ArrayList<>();
    /** The threads that copy the container's output to ours. */
    private final List<Thread> output = new ArrayList<>();
    /** The caller's terminal settings, to restore, while we hold it in raw mode. */
    private Memory savedSettings;
    private SignalHandler previousWindowHandler;
    private boolean interactive;

    private Stdio() {
    }

    // tag::open[]
    static Stdio open(boolean interactive, boolean tty) {
        if (tty && interactive && LibC.isatty(0) != 1) {
            throw new MydockerException("the input is not a terminal, which -ti needs; use -i alone to pipe input");
        }
        Stdio stdio = new Stdio();
        stdio.interactive = interactive;
        try {
            // With -t, init replaces all three with the terminal it makes in the container.
            stdio.container[0] = interactive && !tty ? stdio.input(0) : stdio.handOver(
                    LibC.open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC, 0));
            stdio.container[1] = stdio.output(1);
            stdio.container[2] = stdio.output(2);
        } catch (RuntimeException e) {
            stdio.close();
            throw e;
        }
        return stdio;
    }

    /**
     * With -d: the container's stdout and stderr go to its log, which `mydocker logs` prints,
     * and with -i its stdin stays open, with nothing to read, as docker keeps it.
     */
    static Stdio toLog(Path log, boolean interactive) {
        Stdio stdio = new Stdio();
        try {
            if (interactive) {
                int[] pipe = new int[2];
                LibC.pipe2(pipe, LibC.O_CLOEXEC);
                stdio.container[0] = stdio.handOver(pipe[0]); // pipe[1] stays open, and unused, for ever
            } else {
                stdio.container[0] = stdio.handOver(LibC.open("/dev/null", LibC.O_RDONLY | LibC.O_CLOEXEC, 0));
            }
            stdio.container[1] = stdio.container[2] = stdio.handOver(LibC.open(log.toString(),
                    LibC.O_WRONLY | LibC.O_CREAT | LibC.O_APPEND | LibC.O_CLOEXEC, 0600));
        } catch (RuntimeException e) {
            stdio.close();
            throw e;
        }
        return stdio;
    }

    /**
     * With -t: the master of the pseudo-terminal that init made in the container's own /dev/pts
     * (Pty.openInContainer). The user's terminal goes into raw mode.
     */
    void attach(int master) {
        Pty.copySize(1, master);
        previousWindowHandler = Signal.handle(WINDOW_CHANGED, signal -> Pty.copySize(1, master));
        if (interactive) {
            // Raw: every key, Ctrl-C and Ctrl-D included, goes to the container's terminal as it
            // is, and that terminal echoes, edits lines and turns Ctrl-C into SIGINT.
            savedSettings = new Memory(LibC.TERMIOS_SIZE);
            LibC.tcgetattr(0, savedSettings);
            Memory raw = new Memory(LibC.TERMIOS_SIZE);
            raw.write(0, savedSettings.getByteArray(0, LibC.TERMIOS_SIZE), 0, LibC.TERMIOS_SIZE);
            LibC.cfmakeraw(raw);
            LibC.tcsetattr(0, LibC.TCSANOW, raw);
            copy(0, master, NONE);
        }
        // The master reads end-of-file (EIO) once every process that had the slave has ended.
        // It stays open until mydocker exits: the thread that copies the user's keys may still
        // write to it, and the number of a closed fd goes to the next file that mydocker opens.
        output.add(copy(master, 1, NONE));
    }
    // end::open[]

    /** Without -t: our stdin for the container, through a pipe if it is a terminal. */
    private int input(int fd) {
        if (LibC.isatty(fd) != 1) {
            return fd;
        }
        int[] pipe = new int[2];
        LibC.pipe2(pipe, LibC.O_CLOEXEC);
        copy(fd, pipe[1], pipe[1]); // closing the pipe at our end-of-file (Ctrl-D) passes it on
        return handOver(pipe[0]);
    }

    /** Without -t: our stdout or stderr for the container, through a pipe if it is a terminal. */
    private int output(int fd) {
        if (LibC.isatty(fd) != 1) {
            return fd;
        }
        int[] pipe = new int[2];
        LibC.pipe2(pipe, LibC.O_CLOEXEC);
        output.add(copy(pipe[0], fd, pipe[0]));
        return handOver(pipe[1]);
    }

    private int handOver(int fd) {
        handedOver.add(fd);
        return fd;
    }

    /**
     * The container has its own copies now: close ours, so that the pipes and the pseudo-terminal
     * reach end-of-file when the container's processes are gone.
     */
    void closeHandedOver() {
        handedOver.forEach(LibC::close);
        handedOver.clear();
    }

    /**
     * The container has ended: waits until its output has all been copied, and gives the
     * caller's terminal its settings back, so that what mydocker prints next shows as it should.
     */
    void finish() throws InterruptedException {
        for (Thread thread : output) {
            thread.join();
        }
        close();
    }

    /** Gives the caller's terminal its settings back, whatever happened. */
    @Override
    public void close() {
        closeHandedOver();
        if (savedSettings != null) {
            Memory settings = savedSettings;
            savedSettings = null;
            try {
                LibC.tcsetattr(0, LibC.TCSANOW, settings);
            } catch (LastErrorException e) {
                // The terminal is gone (closed: EIO), and its settings with it.
            }
        }
        if (previousWindowHandler != null) {
            Signal.handle(WINDOW_CHANGED, previousWindowHandler);
            previousWindowHandler = null;
        }
    }

    /**
     * Copies from one fd to another on a thread of its own until end-of-file or an error, then
     * closes the fd closeAtEnd (or NONE). A daemon thread: one that still waits for the user's
     * next key must not keep mydocker from exiting.
     */
    private static Thread copy(int from, int to, int closeAtEnd) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try {
                for (long n; (n = LibC.restartOnEintr(() -> LibC.read(from, buffer, buffer.length))) > 0; ) {
                    LibC.writeAll(to, buffer, (int) n);
                }
            } catch (LastErrorException e) {
                // EIO from a pseudo-terminal whose other side is closed, or a reader that is gone.
            }
            if (closeAtEnd != NONE) {
                LibC.close(closeAtEnd);
            }
        }, "copy " + from + " to " + to);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
