package io.mydocker;

import static io.mydocker.Mydocker.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two commands race on the same container, name or network: each race ends consistent, with one
 * winner where there can be only one, and no record, lease, link, rule, mount or cgroup left
 * over (FaultCase checks the host; the cases check the leases and that ps tells the truth).
 */
class RaceIT extends FaultCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NET = "fmrace";
    private static final String SUBNET = "10.232.0.0/24";

    /** A background mydocker's exit status, stdout and stderr, once it has ended. */
    private static Mydocker.Result result(Process process) throws InterruptedException, IOException {
        int exitCode = Mydocker.waitFor(process);
        return new Mydocker.Result(exitCode, new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private List<String> ps(String... options) {
        List<String> args = new ArrayList<>(List.of("ps"));
        args.addAll(List.of(options));
        Mydocker.Result ps = mydocker.run(args.toArray(new String[0]));
        assertEquals(0, ps.exitCode(), ps.toString());
        return ps.out().lines().toList();
    }

    /** The leases in the network's file, by container ID. */
    private JsonNode leases() throws IOException {
        return JSON.readTree(root.resolve(Networks.NETWORKS).resolve(NET + ".json").toFile()).get("leases");
    }

    /**
     * rm -f and stop of one running container at once: both end, rm -f succeeds, and stop either
     * stopped it or, as docker's "No such container", says it is gone; so is the container.
     */
    @Test
    void rmForceAndStopOfOneContainerAtOnce() throws Exception {
        assertEquals(0, mydocker.run("run", "-d", "--name", "x", "busybox", "sleep", "600").exitCode());
        Process rm = mydocker.background("rm", "-f", "x");
        Process stop = mydocker.background("stop", "x");
        Mydocker.Result removed = result(rm);
        Mydocker.Result stopped = result(stop);
        assertSuccess("x\n", removed);
        if (stopped.exitCode() != 0) {
            CliIT.assertOneLineError(125, "no such container 'x'", stopped);
        } else {
            assertSuccess("x\n", stopped);
        }
        assertEquals(List.of(), ps("-aq"), "the container is gone");
    }

    /** Two run -d --name x at once: one runs, the other is told the name is taken. */
    @Test
    void twoRunsWithOneNameAtOnce() throws Exception {
        Process first = mydocker.background("run", "-d", "--name", "x", "busybox", "sleep", "600");
        Process second = mydocker.background("run", "-d", "--name", "x", "busybox", "sleep", "600");
        List<Mydocker.Result> results = List.of(result(first), result(second));
        Mydocker.Result won = results.stream().filter(r -> r.exitCode() == 0).findFirst().orElseThrow(
                () -> new AssertionError("neither run won: " + results));
        Mydocker.Result lost = results.get(1 - results.indexOf(won));
        CliIT.assertOneLineError(125, "the name 'x' is taken", lost);
        assertEquals(List.of(won.out().trim()), ps("-q"), "one container runs, the winner");
        assertEquals(1, ps("-aq").size(), "the loser left no record");
    }

    /**
     * network rm while a run --net starts, at different moments: either the run wins, and
     * network rm refuses, as docker does for a network with active endpoints, or network rm wins
     * and the run fails cleanly. Never a container that runs on a deleted network.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 500, 1000, 1500})
    void networkRmDuringRunNet(int delayMillis) throws Exception {
        assertSuccess("", mydocker.run("network", "create", "--subnet", SUBNET, NET));
        Process run = mydocker.background("run", "-d", "--name", "x", "--net", NET, "busybox", "sleep", "600");
        Thread.sleep(delayMillis);
        Mydocker.Result networkRm = mydocker.run("network", "rm", NET);
        Mydocker.Result ran = result(run);
        System.out.println("network rm " + delayMillis + " ms after run --net: "
                + (networkRm.exitCode() == 0 ? "network rm" : "the run") + " won");
        if (networkRm.exitCode() == 0) {
            CliIT.assertOneLineError(125, "no such network '" + NET + "'", ran);
            assertEquals(List.of(), ps("-aq"), "the failed run left no record");
            assertEquals("", netns.ok("ip -o link show type bridge; ip -o link show type veth"), "no bridge, no veth");
        } else {
            CliIT.assertOneLineError(125, "the network " + NET + " is in use by the container x", networkRm);
            assertEquals(0, ran.exitCode(), ran.toString());
            String id = ran.out().trim();
            assertEquals(List.of(id), ps("-q"));
            assertEquals(1, leases().size(), leases().toString());
            assertTrue(leases().has(id), "the container holds the lease: " + leases());
        }
    }

    /**
     * Twenty run -d --net at once get twenty addresses; twenty rm -f at once then release them
     * all: no lease is left in the network's file, and no veth.
     */
    @Test
    void twentyRunNetAtOnceThenTwentyRmForceAtOnce() throws Exception {
        assertSuccess("", mydocker.run("network", "create", "--subnet", SUBNET, NET));
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<Mydocker.Result>> runs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                runs.add(pool.submit(() -> mydocker.run("run", "-d", "--net", NET, "busybox", "sleep", "600")));
            }
            Set<String> ids = new HashSet<>();
            for (Future<Mydocker.Result> run : runs) {
                Mydocker.Result result = run.get(Mydocker.WAIT_SECONDS, TimeUnit.SECONDS);
                assertEquals(0, result.exitCode(), result.toString());
                ids.add(result.out().trim());
            }
            assertEquals(ids, Set.copyOf(ps("-q")), "ps lists the twenty that run");
            Set<String> addresses = new HashSet<>();
            leases().elements().forEachRemaining(lease -> addresses.add(lease.get("address").asText()));
            assertEquals(20, addresses.size(), "twenty distinct addresses: " + leases());
            assertEquals(20, netns.ok("ip -o link show type veth").lines().count(), "a veth each");
            List<Future<Mydocker.Result>> removals = new ArrayList<>();
            for (String id : ids) {
                removals.add(pool.submit(() -> mydocker.run("rm", "-f", id)));
            }
            for (Future<Mydocker.Result> removal : removals) {
                Mydocker.Result result = removal.get(Mydocker.WAIT_SECONDS, TimeUnit.SECONDS);
                assertEquals(0, result.exitCode(), result.toString());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(List.of(), ps("-aq"));
        assertEquals(0, leases().size(), "no lease is left: " + leases());
        assertEquals("", netns.ok("ip -o link show type veth"), "no veth is left");
    }
}
