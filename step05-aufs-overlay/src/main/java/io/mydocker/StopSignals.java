package io.mydocker;

import java.util.HashMap;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT sent to a waiting `mydocker run` are passed on to the container, as docker
 * run passes them: the container can end in its own way, and mydocker, still there, cleans up
 * after it. Left alone, the JVM would exit at once and leave the container running and its
 * overlay mounted. A container that does not end within a grace period is killed, as
 * `docker stop` does. (sun.misc.Signal, in the module jdk.unsupported, is the JDK's only way to
 * handle a signal; signal(7) explains signals.)
 */
final class StopSignals implements AutoCloseable {
    static final long GRACE_MILLIS = 10_000;
    private final Map<Signal, SignalHandler> previous = new HashMap<>();
    private int pid; // 0 until the container runs
    private int pending; // a signal that came before it did
    private boolean exited;

    // tag::handle[]
    StopSignals(boolean tty) {
        handle("TERM", signal -> forward(signal.getNumber()));
        // With -t, Ctrl-C makes the terminal send SIGINT to the container itself, which shares
        // it; mydocker must not stop the container for that.
        handle("INT", tty ? SignalHandler.SIG_IGN : signal -> forward(signal.getNumber()));
    }
    // end::handle[]

    private void handle(String name, SignalHandler handler) {
        Signal signal = new Signal(name);
        previous.put(signal, Signal.handle(signal, handler));
    }

    /** The container's init runs now, as pid. */
    synchronized void started(int pid) {
        this.pid = pid;
        if (pending != 0) {
            forward(pending);
        }
    }

    // tag::forward[]
    private synchronized void forward(int signal) {
        if (exited) {
            return;
        }
        if (pid == 0) {
            pending = signal;
            return;
        }
        LibC.kill(pid, signal);
        Thread killer = new Thread(this::killAfterGrace, "grace period");
        killer.setDaemon(true);
        killer.start();
    }

    private void killAfterGrace() {
        try {
            Thread.sleep(GRACE_MILLIS);
        } catch (InterruptedException e) {
            return;
        }
        synchronized (this) {
            if (!exited) {
                LibC.kill(pid, LibC.SIGKILL);
            }
        }
    }
    // end::forward[]

    /**
     * The container has ended. Called before it is reaped: until then its pid cannot be given to
     * another process, so no signal meant for the container can hit a stranger.
     */
    synchronized void exited() {
        exited = true;
    }

    /** Gives the signals back to the JVM. */
    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}
