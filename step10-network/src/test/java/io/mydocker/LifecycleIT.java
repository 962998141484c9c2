package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Containers that outlive the command: run -d, ps, logs, stop, rm and inspect, as a learner
 * uses them, and the faults a real machine throws at them.
 */
class LifecycleIT extends ContainerTestBase {
    /** The container's record, as inspect prints it. */
    private JsonNode inspect(String container) throws Exception {
        Mydocker.Result result = mydocker.run("inspect", container);
        assertEquals(0, result.exitCode(), result.toString());
        return new ObjectMapper().readTree(result.out());
    }

    /** Runs -d, and returns the ID it printed. */
    private String detach(String... args) {
        List<String> run = new ArrayList<>(List.of("run", "-d"));
        run.addAll(List.of(args));
        Mydocker.Result result = mydocker.run(run.toArray(new String[0]));
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("", result.err(), result.toString());
        assertTrue(ContainerId.isOne(result.out().trim()), "run -d prints the ID alone: " + result);
        return result.out().trim();
    }

    private static List<String> lines(Mydocker.Result result) {
        assertEquals(0, result.exitCode(), result.toString());
        return result.out().lines().toList();
    }

    @Test
    void aDetachedContainerRunsOnAndPsLogsStopAndRmSeeIt() throws Exception {
        String id = detach("--name", "bird", "busybox", "sh", "-c", "echo out; echo err >&2; exec sleep 1000");
        JsonNode record = inspect("bird");
        assertEquals(id, record.get("id").asText());
        int pid = record.get("pid").asInt();
        // The container's PID 1, seen from the host: its namespaces are not ours.
        assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/pid")),
                Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/pid")));
        List<String> ps = lines(mydocker.run("ps"));
        assertEquals(List.of("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"),
                List.of(ps.get(0).split(" {3,}")));
        assertTrue(ps.get(1).matches(id + " +busybox +\"sh -c echo out; ech…\" +.* ago +Up .* +bird"), ps.toString());
        assertEquals(List.of(id), lines(mydocker.run("ps", "-q")));
        awaitLog("bird", "out\nerr\n");
        Mydocker.assertSuccess("bird\n", mydocker.run("stop", "-t", "1", "bird"));
        assertTrue(lines(mydocker.run("ps")).size() == 1, "ps lists only running containers");
        List<String> all = lines(mydocker.run("ps", "-a"));
        assertTrue(all.get(1).matches(".*Exited \\(137\\) .* ago +bird"), all.toString());
        assertFalse(Files.exists(Path.of("/proc/" + pid)), "the monitor reaped it: no zombie");
        Mydocker.assertSuccess(id.substring(0, 4) + "\n", mydocker.run("rm", id.substring(0, 4)));
        assertEquals(List.of(), lines(mydocker.run("ps", "-aq")));
    }

    @Test
    void aContainerThatTrapsTermStopsAtOnceAndOneThatIgnoresItIsKilledAfterTheGrace() throws Exception {
        detach("--name", "polite", "busybox", "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done");
        detach("--name", "deaf", "busybox", "sleep", "1000");
        long start = System.nanoTime();
        Mydocker.assertSuccess("polite\n", mydocker.run("stop", "polite"));
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 10, "no grace needed");
        assertEquals(0, inspect("polite").get("exitCode").asInt());
        start = System.nanoTime();
        Mydocker.assertSuccess("deaf\n", mydocker.run("stop", "-t", "2", "deaf"));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 2000, "SIGKILL only after the grace");
        assertEquals(137, inspect("deaf").get("exitCode").asInt());
        Mydocker.assertSuccess("deaf\n", mydocker.run("stop", "deaf"));
    }

    @Test
    void logsFollowsUntilTheContainerEnds() {
        detach("--name", "counter", "busybox", "sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.5; done; echo done >&2");
        Mydocker.assertSuccess("1\n2\n3\ndone\n", mydocker.run("logs", "-f", "counter"));
        assertTrue(lines(mydocker.run("ps", "-a")).get(1).contains("Exited (0)"));
    }

    @Test
    void rmRefusesARunningContainerUnlessForced() throws Exception {
        String id = detach("busybox", "sleep", "1000");
        Mydocker.Result refused = mydocker.run("rm", id);
        CliIT.assertOneLineError(1, "stop it first, or use -f", refused);
        Mydocker.assertSuccess(id + "\n", mydocker.run("rm", "-f", id));
        assertFalse(Files.exists(root.resolve("containers").resolve(id)), "record, log and layer are gone");
    }

    @Test
    void anExitedContainerKeepsItsLayerForCommitAndItsRecordUntilRm() throws Exception {
        Mydocker.assertSuccess("", mydocker.run("run", "--name", "maker", "busybox", "sh", "-c", "echo made > /made"));
        assertTrue(lines(mydocker.run("ps", "-a")).get(1).matches(".*Exited \\(0\\) .* maker"));
        Mydocker.Result commit = mydocker.run("commit", "maker", "made");
        assertEquals(0, commit.exitCode(), commit.toString());
        Mydocker.assertSuccess("made\n", mydocker.run("run", "--rm", "made", "cat", "/made"));
        assertEquals(1, lines(mydocker.run("ps", "-aq")).size(), "--rm removed its container");
    }

    @Test
    void aKilledMonitorLeavesTheTruthInPsAndRmReleasesEverything() throws Exception {
        String id = detach("--name", "orphan", "busybox", "sleep", "1000");
        JsonNode record = inspect(id);
        int monitor = record.get("monitor").asInt();
        assertEquals(0, Mydocker.waitFor(new ProcessBuilder("kill", "-KILL", Integer.toString(monitor)).start()));
        Thread.sleep(500);
        assertTrue(lines(mydocker.run("ps")).get(1).contains("Up "), "the container runs on without its monitor");
        Mydocker.assertSuccess("orphan\n", mydocker.run("stop", "-t", "0", "orphan"));
        assertTrue(lines(mydocker.run("ps", "-a")).get(1).contains("Exited (unknown)"), "nobody recorded its end");
        Mydocker.assertSuccess("orphan\n", mydocker.run("rm", "orphan"));
        // The base class checks that no mount and no cgroup of it is left.
    }

    @Test
    void aKilledContainerIsRecordedAndReleased() throws Exception {
        String oom = detach("-m", "32m", "busybox", "sh", "-c", "sleep 1; dd if=/dev/zero of=/dev/null bs=100M count=1");
        String killed = detach("busybox", "sleep", "1000");
        assertEquals(0, Mydocker.waitFor(new ProcessBuilder("kill", "-KILL", inspect(killed).get("pid").asText()).start()));
        for (String id : List.of(oom, killed)) {
            for (int tries = 0; inspect(id).get("state").asText().equals("running") && tries < 100; tries++) {
                Thread.sleep(100);
            }
            assertEquals(137, inspect(id).get("exitCode").asInt(), "128 + SIGKILL, from the OOM killer or from us");
            assertFalse(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().anyMatch(line -> line.contains(id)),
                    "the overlay is unmounted when the container ends");
        }
    }

    @Test
    void badInputIsOneLineAndExit125() throws Exception {
        detach("--name", "taken", "busybox", "sleep", "1000");
        CliIT.assertOneLineError(125, "'taken' is taken", mydocker.run("run", "-d", "--name", "taken", "busybox", "true"));
        CliIT.assertOneLineError(125, "invalid container name", mydocker.run("run", "--name", "no/slash", "busybox", "true"));
        CliIT.assertOneLineError(125, "-d and -t", mydocker.run("run", "-d", "-t", "busybox", "true"));
        CliIT.assertOneLineError(125, "invalid -t -1", mydocker.run("stop", "-t", "-1", "taken"));
        for (String command : List.of("logs", "stop", "rm", "inspect")) {
            CliIT.assertOneLineError(125, "no such container 'ghost'", mydocker.run(command, "ghost"));
        }
        assertEquals(1, lines(mydocker.run("ps", "-aq")).size(), "nothing but the first container");
    }

    @Test
    void anAmbiguousIdPrefixListsTheContainersItCouldBe() {
        // 17 IDs, and 16 hex digits to start with: two of them start alike.
        for (int i = 0; i < 17; i++) {
            assertEquals(0, mydocker.run("run", "busybox", "true").exitCode());
        }
        List<String> ids = lines(mydocker.run("ps", "-aq"));
        String shared = ids.stream().map(id -> id.substring(0, 1))
                .filter(first -> ids.stream().filter(id -> id.startsWith(first)).count() > 1).findFirst().orElseThrow();
        CliIT.assertOneLineError(125, "'" + shared + "' is the start of several containers' IDs", mydocker.run("inspect", shared));
    }

    @Test
    void twentyAtOnceGetTwentyNamesAndIdsAndAllGoAway() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Future<String>> runs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            runs.add(pool.submit(() -> detach("busybox", "sleep", "1000")));
        }
        Set<String> ids = new HashSet<>();
        for (Future<String> run : runs) {
            ids.add(run.get(Mydocker.WAIT_SECONDS, TimeUnit.SECONDS));
        }
        assertEquals(20, ids.size());
        List<String> ps = lines(mydocker.run("ps"));
        assertEquals(21, ps.size(), ps.toString());
        assertEquals(20, ps.stream().skip(1).map(line -> line.substring(line.lastIndexOf(' ') + 1)).distinct().count(),
                "twenty names");
        List<Future<Mydocker.Result>> removals = new ArrayList<>();
        for (String id : ids) {
            removals.add(pool.submit(() -> mydocker.run("rm", "-f", id)));
        }
        for (Future<Mydocker.Result> removal : removals) {
            Mydocker.Result result = removal.get(Mydocker.WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(0, result.exitCode(), result.toString());
        }
        pool.shutdown();
        assertEquals(List.of(), lines(mydocker.run("ps", "-aq")));
    }

    /** Waits until the container's log holds text. */
    private void awaitLog(String container, String text) throws InterruptedException {
        for (int tries = 0; tries < 100; tries++) {
            if (mydocker.run("logs", container).out().equals(text)) {
                return;
            }
            Thread.sleep(100);
        }
        assertEquals(text, mydocker.run("logs", container).out());
    }
}
