package io.mydocker;

import java.time.Instant;
import java.util.List;

// tag::record[]
/**
 * What mydocker knows of a container, kept in containers/ID/config.json for every mydocker
 * command to read: what the container is made of, and where it is in its life. Jackson turns it
 * into JSON and back.
 *
 * @param env          run -e: the environment variables given, NAME=VALUE each
 * @param autoRemove   run --rm: removed when it exits
 * @param created      when it was created, as Instant.toString() writes it (ISO 8601, UTC)
 * @param pid          the container's PID 1, as the host numbers it; 0 before it runs
 * @param pidStartTime when that process started (ProcStat), so that a PID that the kernel has
 *                     given to another process since is never taken for the container
 * @param monitor      the PID of the process that waits for the container and records its end
 * @param exitCode     its exit status, once known; null while it runs, and when its monitor was
 *                     killed before it could record one
 */
record ContainerRecord(String id, String name, String image, String imageId, List<String> command,
        String hostname, List<String> env, boolean interactive, boolean tty, boolean autoRemove, Resources resources,
        List<String> volumes, String created, String state, int pid, long pidStartTime, int monitor,
        long monitorStartTime, Integer exitCode, String finished) {
    // end::record[]
    static final String CREATED = "created";
    static final String RUNNING = "running";
    static final String EXITED = "exited";

    /** A new container, not yet named, not yet run. */
    static ContainerRecord created(String id, String name, String image, String imageId, List<String> command,
            String hostname, List<String> env, boolean interactive, boolean tty, boolean autoRemove,
            Resources resources, List<String> volumes) {
        return new ContainerRecord(id, name, image, imageId, command, hostname, env, interactive, tty, autoRemove, resources,
                volumes, Instant.now().toString(), CREATED, 0, 0, 0, 0, null, null);
    }

    ContainerRecord named(String name) {
        return new ContainerRecord(id, name, image, imageId, command, hostname, env, interactive, tty, autoRemove, resources,
                volumes, created, state, pid, pidStartTime, monitor, monitorStartTime, exitCode, finished);
    }

    ContainerRecord running(int pid, int monitor) {
        return new ContainerRecord(id, name, image, imageId, command, hostname, env, interactive, tty, autoRemove, resources,
                volumes, created, RUNNING, pid, ProcStat.startTime(pid), monitor, ProcStat.startTime(monitor), null, null);
    }

    ContainerRecord exited(int exitCode) {
        return new ContainerRecord(id, name, image, imageId, command, hostname, env, interactive, tty, autoRemove, resources,
                volumes, created, EXITED, pid, pidStartTime, monitor, monitorStartTime, exitCode, Instant.now().toString());
    }

    // tag::state[]
    /** Whether the container runs: its PID lives, and is still the process that was started. */
    boolean isRunning() {
        return state.equals(RUNNING) && ProcStat.startTime(pid) == pidStartTime;
    }

    /** Whether the monitor lives, and so will record the container's end. */
    boolean hasMonitor() {
        return state.equals(RUNNING) && ProcStat.startTime(monitor) == monitorStartTime;
    }
    // end::state[]
}
