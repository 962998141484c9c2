package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs this step's ./mydocker launcher, as a learner would, with a private state root. Used by
 * the integration tests, which need root: in CI they must run, elsewhere they skip and say why.
 */
final class Mydocker {
    /** What a run printed and how it ended. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** How long a test waits for a run: far longer than any should take, even on a busy machine. */
    static final int WAIT_SECONDS = 120;
    private static final Path HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private final Path root;
    /** Words that run and background put before the launcher, such as nsenter's for a network namespace. */
    private final List<String> wrapper;
    private final List<Process> background = new ArrayList<>();

    Mydocker(Path root) {
        this(root, List.of());
    }

    Mydocker(Path root, List<String> wrapper) {
        this.root = root;
        this.wrapper = wrapper;
    }

    /**
     * What a container could leave behind on the host: mounts, with their type and source so
     * that a second mount on an existing mount point counts too; cgroups under mydocker's parent
     * group; and processes in a PID namespace other than ours, as every container's are. Tests
     * look for what is new after them.
     */
    static List<String> residue() {
        if (!Files.exists(Path.of("/proc/self"))) {
            // A container's /proc mount reached the host's /proc: it covers it, and with the
            // container's PID namespace gone, /proc/self leads nowhere.
            fail("the host's /proc is covered by a dead container's; repair it with umount /proc");
        }
        List<String> found = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw" (proc(5)):
                // the mount point is the fifth field, the type and source follow the "-".
                String[] fields = line.split(" ");
                String[] filesystem = line.substring(line.indexOf(" - ") + 3).split(" ");
                found.add("mount " + fields[4] + " " + filesystem[0] + " " + filesystem[1]);
            }
            // cgroup v2 has one tree, v1 one per controller.
            try (Stream<Path> hierarchies = Stream.concat(Stream.of(Path.of("/sys/fs/cgroup")),
                    Files.list(Path.of("/sys/fs/cgroup")))) {
                for (Path parent : hierarchies.map(h -> h.resolve("mydocker")).filter(Files::isDirectory).toList()) {
                    try (Stream<Path> groups = Files.list(parent)) {
                        groups.filter(Files::isDirectory).forEach(group -> found.add("cgroup " + group));
                    }
                }
            }
            Path ours = Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
            try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
                for (Path process : processes.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                    try {
                        Path namespace = Files.readSymbolicLink(process.resolve("ns/pid"));
                        if (!namespace.equals(ours)) {
                            String command = Files.readString(process.resolve("comm")).trim();
                            found.add("process " + process.getFileName() + " (" + command + ") in " + namespace);
                        }
                    } catch (IOException e) {
                        // It ended while we looked.
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Collections.sort(found);
        return found;
    }

    /** The host's hostname, which no container may change, and how a test puts it back. */
    static String hostname() {
        try {
            return Files.readString(HOSTNAME).trim();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void setHostname(String name) {
        try {
            Files.writeString(HOSTNAME, name);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Asserts that a run succeeded quietly: status 0, exactly out on stdout, nothing on stderr. */
    static void assertSuccess(String out, Result result) {
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals(out, result.out(), result.toString());
        assertEquals("", result.err(), result.toString());
    }

    static void requireRoot() {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && "true".equals(System.getenv("CI"))) {
            fail("integration tests must run as root in CI");
        }
        assumeTrue(root, "integration tests start real containers and need root: run sudo ./mvnw verify");
    }

    Result run(String... args) {
        return runWithInput("", args);
    }

    /** Runs mydocker with stdin reading the given text. */
    Result runWithInput(String stdin, String... args) {
        return runUnder(wrapper, stdin, args);
    }

    /**
     * Starts mydocker in the background; the caller waits for it (see waitFor) and may read its
     * output, and write to its input, which a container reads with -i. A background job may
     * start with SIGINT ignored (sh does that without job control), and a signal ignored at
     * start stays ignored: env(1) restores it, so a test can send SIGINT.
     */
    Process background(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT"));
        command.addAll(wrapper);
        command.addAll(List.of(Path.of("mydocker").toAbsolutePath().toString(), "--root", root.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        background.add(process);
        return process;
    }

    /** Removes every container in the state root, running or not, as `mydocker rm -f` does. */
    void removeAll() {
        if (!Files.isDirectory(root.resolve("containers"))) {
            return;
        }
        Result ids = run("ps", "-aq");
        if (!ids.out().isBlank()) {
            List<String> rm = new ArrayList<>(List.of("rm", "-f"));
            rm.addAll(ids.out().lines().toList());
            assertEquals(0, run(rm.toArray(new String[0])).exitCode(), "mydocker rm -f of every container");
        }
    }

    /** Waits for a background run to end, and returns its exit status. */
    static int waitFor(Process process) throws InterruptedException {
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            fail(process.info().commandLine().orElse("mydocker") + " did not end within " + WAIT_SECONDS + " s");
        }
        return process.exitValue();
    }

    /**
     * Ends what the test left running in the background, as it does when an assertion failed:
     * kills the containers (killing PID 1 of a PID namespace kills the rest of it), so that each
     * mydocker cleans up and exits, and waits for it.
     */
    void stopBackground() throws InterruptedException {
        for (Process process : background) {
            for (int tries = 0; process.isAlive() && tries < 10 * WAIT_SECONDS; tries++) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
            if (process.isAlive()) {
                process.destroyForcibly();
                fail(process.info().commandLine().orElse("mydocker") + " did not end when its container was killed");
            }
        }
        background.clear();
    }

    /**
     * Runs mydocker from target/classes, a directory of classes, as `./mvnw exec:java` does,
     * rather than from the jar.
     */
    Result runFromClasses(String... args) {
        return start(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", "target/classes:target/lib/*", Main.class.getName()), "", args);
    }

    /** Runs mydocker as the last arguments of another command, such as unshare(1). */
    Result runUnder(List<String> wrapper, String... args) {
        return runUnder(wrapper, "", args);
    }

    private Result runUnder(List<String> wrapper, String stdin, String... args) {
        List<String> launcher = new ArrayList<>(wrapper);
        launcher.add(Path.of("mydocker").toAbsolutePath().toString());
        return start(launcher, stdin, args);
    }

    /** Runs a copy of this step's build that the user nobody can read, as nobody. */
    Result runAsNobody(String... args) throws IOException {
        Path copy = Files.createTempDirectory(Path.of("/tmp"), "mydocker-nobody");
        try {
            Files.copy(Path.of("mydocker"), copy.resolve("mydocker"));
            Files.createDirectories(copy.resolve("target/lib"));
            Files.copy(Path.of("target/mydocker.jar"), copy.resolve("target/mydocker.jar"));
            Files.copy(Path.of("target/jvm.args"), copy.resolve("target/jvm.args"));
            try (Stream<Path> jars = Files.list(Path.of("target/lib"))) {
                for (Path jar : jars.toList()) {
                    Files.copy(jar, copy.resolve("target/lib").resolve(jar.getFileName()));
                }
            }
            try (Stream<Path> all = Files.walk(copy)) {
                for (Path path : all.toList()) {
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                            Files.isDirectory(path) || path.endsWith("mydocker") ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            return start(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    copy.resolve("mydocker").toString()), "", args);
        } finally {
            try (Stream<Path> all = Files.walk(copy)) {
                for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private Result start(List<String> launcher, String stdin, String... args) {
        List<String> command = new ArrayList<>(launcher);
        command.add("--root");
        command.add(root.toString());
        command.addAll(List.of(args));
        try {
            Path in = Files.writeString(Files.createTempFile("mydocker", ".in"), stdin);
            Path out = Files.createTempFile("mydocker", ".out");
            Path err = Files.createTempFile("mydocker", ".err");
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectInput(in.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
                // The launcher must run the JDK that runs the tests (17 or 25).
                builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
                Process process = builder.start();
                if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    fail(command + " did not end within " + WAIT_SECONDS + " s");
                }
                return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.delete(in);
                Files.delete(out);
                Files.delete(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
