package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * startup/prepare.sh, which `./mvnw package` runs, on a copy of this step's build. Its training
 * runs start both of mydocker's JVMs as root, and a step's init mounts things: they must leave
 * the host as they found it, and a run that goes wrong must fail the build and say why.
 */
class StartupIT extends ContainerTestBase {
    @Test
    void packageLeavesTheHostsMountsAndCgroupsAsTheyWere() throws IOException {
        Path target = copyOfTheBuild();
        List<String> before = hostState();
        Mydocker.Result result = prepare(target, System.getProperty("startup.training"));
        assertEquals(before, hostState(), "the training changed the host\n" + result);
        assertEquals(0, result.exitCode(), result.toString());
        // What the launchers read: the flags, and those of each JVM's archive for this JDK.
        Path archives = target.resolve("cds").resolve(System.getProperty("java.runtime.version"));
        for (Path file : List.of(target.resolve("jvm.args"), archives.resolve("mydocker.args"), archives.resolve("init.args"))) {
            assertTrue(Files.isRegularFile(file), file + " is missing\n" + result);
        }
    }

    @Test
    void aTrainingRunThatFailsFailsTheBuildAndShowsWhy() throws IOException {
        String training = System.getProperty("startup.training").replace("/bin/true", "/no/such/command");
        Mydocker.Result result = prepare(copyOfTheBuild(), training);
        assertNotEquals(0, result.exitCode(), result.toString());
        assertTrue(result.err().contains("mydocker: /no/such/command")
                && result.err().contains("the training failed"), result.toString());
    }

    /** target/mydocker.jar and target/lib, as `package` has them when it runs prepare.sh. */
    private Path copyOfTheBuild() throws IOException {
        Path target = root.resolve("build/target");
        Files.createDirectories(target.resolve("lib"));
        Files.copy(Path.of("target/mydocker.jar"), target.resolve("mydocker.jar"));
        try (Stream<Path> jars = Files.list(Path.of("target/lib"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, target.resolve("lib").resolve(jar.getFileName()));
            }
        }
        return target;
    }

    /**
     * What the training could change on the host: each mount (where, what, from where, and its
     * propagation, so that a second /proc on /proc or a shared / made private shows), the
     * cgroups under mydocker's parent, and the hostname.
     */
    private static List<String> hostState() throws IOException {
        List<String> state = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            // ID PARENT DEV ROOT MOUNT-POINT OPTIONS [PROPAGATION...] - TYPE SOURCE SUPER-OPTIONS
            List<String> fields = Arrays.asList(line.split(" "));
            int dash = fields.indexOf("-");
            state.add("mount " + fields.get(4) + " " + fields.get(dash + 1) + " " + fields.get(dash + 2) + " "
                    + String.join(",", fields.subList(6, dash)));
        }
        Mydocker.residue().stream().filter(thing -> thing.startsWith("cgroup ")).forEach(state::add);
        state.add("hostname " + Mydocker.hostname());
        state.sort(null);
        return state;
    }

    /** Runs prepare.sh as the root pom does, with its own lock file: this test holds the tests'. */
    private Mydocker.Result prepare(Path target, String training) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of("../startup/prepare.sh").toAbsolutePath().toString(),
                target.toString(), System.getProperty("java.home")));
        command.addAll(List.of(training.split(" ")));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(Path.of("/dev/null").toFile())
                .redirectOutput(root.resolve("prepare.out").toFile())
                .redirectError(root.resolve("prepare.err").toFile());
        builder.environment().put("MYDOCKER_TESTS_LOCK", root.resolve("tests.lock").toString());
        Process process = builder.start();
        try {
            if (!process.waitFor(300, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(command + " did not end within 300 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return new Mydocker.Result(process.exitValue(), Files.readString(root.resolve("prepare.out")),
                Files.readString(root.resolve("prepare.err")));
    }
}
