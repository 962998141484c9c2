package io.mydocker;

import java.util.HashMap;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The signals that ask a waiting `mydocker run` to stop are passed on to the container, as
 * `docker run` passes them: Ctrl-C (SIGINT), `kill` (SIGTERM), and a closed terminal (SIGHUP).
 * The container can then end in its own way, and mydocker, still there, cleans up after it.
 * Left alone, the JVM would exit at once and leave the container running: it is in a session of
 * its own, so the terminal's signals do not reach it. A container that does not end within a
 * grace period is killed, as `docker stop` does: PID 1 of a PID namespace gets no signal it has
 * no handler for (pid_namespaces(7)), so a plain `sleep` as PID 1 ignores SIGTERM. (signal(7)
 * explains signals; sun.misc.Signal, in the module jdk.unsupported, is the JDK's only way to
 * handle one.)
 */
final class StopSignals implements AutoCloseable {
    static final long GRACE_MILLIS = 10_000;
    private final Map<Signal, SignalHandler> previous = new HashMap<>();
    private int pid; // 0 until the container runs
    private int pending; // a signal that came before it did
    private boolean exited;

    // tag::handle[]
    StopSignals() {
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            Signal signal = new Signal(name);
            previous.put(signal, Signal.handle(signal, s -> forward(s.getNumber())));
        }
    }
    // end::handle[]

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
