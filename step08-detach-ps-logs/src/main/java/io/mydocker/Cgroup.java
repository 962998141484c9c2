package io.mydocker;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A control group (cgroups(7)) that holds one container and enforces its Resources. It is made
 * before the command runs and removed when it ends. Linux has two versions of the cgroup file
 * system and a learner's machine may have either, so the version is detected at run time.
 */
abstract class Cgroup implements AutoCloseable {
    /** Where the cgroup file systems are mounted. Tests point this at a fake tree in a temp dir. */
    static final Path ROOT = Path.of("/sys/fs/cgroup");
    /** Every container's cgroup sits in this group, as docker's sit in "docker". */
    static final String PARENT = "mydocker";

    // tag::create[]
    static Cgroup create(Path root, String name, Resources resources) {
        // cgroup v2 is one tree whose root lists its controllers; v1 is one tree per controller.
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return new CgroupV2(root, name, resources);
        }
        return new CgroupV1(root, name, resources);
    }
    // end::create[]

    /**
     * Removes the cgroup name, as close() does, where no Cgroup object is left to close: for a
     * container whose monitor was killed (see Container.release).
     */
    static void remove(Path root, String name) {
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            removeDirectory(root.resolve(PARENT).resolve(name));
        } else {
            for (String controller : CgroupV1.CONTROLLERS) {
                removeDirectory(root.resolve(controller).resolve(PARENT).resolve(name));
            }
        }
    }

    /**
     * Kills every process in the cgroup name, and waits until they have ended: for rm -f of a
     * container whose record, with its PID, is damaged. Killing a container's PID 1 ends the rest.
     */
    static void kill(Path root, String name) {
        Path dir = Files.exists(root.resolve("cgroup.controllers")) ? root.resolve(PARENT).resolve(name)
                : root.resolve(CgroupV1.CONTROLLERS.get(0)).resolve(PARENT).resolve(name);
        for (String pid : processes(dir).split("\\s+")) {
            if (!pid.isEmpty()) {
                try {
                    LibC.kill(Integer.parseInt(pid), LibC.SIGKILL);
                } catch (LastErrorException e) {
                    // it ended meanwhile
                }
            }
        }
        awaitNoProcesses(dir);
    }

    /** Moves a process, with all its threads, into the cgroup. */
    abstract void add(int pid);

    /** Whether the kernel's OOM killer has killed a process of this cgroup. */
    abstract boolean oomKilled();

    /** Removes the cgroup; its processes must have ended. */
    @Override
    public abstract void close();

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new MydockerException("cannot write '" + value + "' to " + file + ": " + e.getMessage());
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new MydockerException("cannot read " + file + ": " + e.getMessage());
        }
    }

    static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MydockerException("cannot create the cgroup " + dir + ": " + e.getMessage()
                    + "; is the cgroup file system mounted at " + ROOT + "?");
        }
    }

    static void removeDirectory(Path dir) {
        try {
            // rmdir(2) on a cgroup removes it, with the files the kernel shows in it.
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.err.println("mydocker: warning: cannot remove the cgroup " + dir + ": " + e.getMessage());
        }
    }

    /**
     * Waits five seconds at most until no process is left in the cgroup dir: a killed process
     * takes a moment to end.
     */
    private static void awaitNoProcesses(Path dir) {
        for (int tries = 0; tries < 100 && !processes(dir).isEmpty(); tries++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /**
     * The processes in the cgroup dir, or none where it is gone: the monitor and `rm -f` may
     * both remove it at once, and a cgroup removed while it is read answers ENOENT, or ENODEV.
     */
    private static String processes(Path dir) {
        try {
            return Files.readString(dir.resolve("cgroup.procs")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** The count that a key has in a flat-keyed file like memory.events ("oom_kill 1"). */
    static long count(Path file, String key) {
        if (!Files.exists(file)) {
            return 0;
        }
        for (String line : read(file).split("\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length == 2 && fields[0].equals(key)) {
                return Long.parseLong(fields[1]);
            }
        }
        return 0;
    }
}
