package io.mydocker;

import static io.mydocker.Mydocker.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The limits of -m, --cpus, --cpuset-cpus and --cpu-shares, as a process inside feels them. */
class CgroupIT extends ContainerTestBase {
    // dd allocates a buffer of bs bytes: 100M does not fit in 32m, 16M fits in 64m.
    static final String[] ALLOCATE_100M = {"dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"};
    static final String[] ALLOCATE_16M = {"dd", "if=/dev/zero", "of=/dev/null", "bs=16M", "count=1"};
    // Spins for 2 seconds, then prints the CPU seconds it used (the second line of sh's `times`).
    static final String SPIN_2S = "timeout 2 sh -c 'while :; do :; done'; times";
    static final boolean V2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));

    @Test
    void aProcessPastTheMemoryLimitIsOomKilled() {
        Mydocker.Result result = mydocker.run(concat(new String[] {"run", "-m", "32m", "busybox"}, ALLOCATE_100M));
        assertEquals(137, result.exitCode(), result.toString());
        assertTrue(result.err().contains("memory limit"), result.toString());
    }

    @Test
    void aProcessUnderTheMemoryLimitRuns() {
        Mydocker.Result result = mydocker.run(concat(new String[] {"run", "--memory", "64m", "busybox"}, ALLOCATE_16M));
        assertEquals(0, result.exitCode(), result.toString());
    }

    @Test
    void theInitJvmIsNotChargedToTheContainer() {
        assertSuccess("", mydocker.run("run", "-m", "4m", "busybox", "true"));
    }

    @Test
    void theCommandRunsInTheContainersCgroup() {
        // The command starts only once init is in the container's cgroup, mydocker/ID.
        Mydocker.Result result = mydocker.run("run", "busybox", "cat", "/proc/self/cgroup");
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("", result.err(), result.toString());
        Set<String> groups = new TreeSet<>();
        for (String controller : List.of("memory", "cpu", "cpuset")) {
            groups.add(group(result.out().lines().toList(), controller));
        }
        assertEquals(1, groups.size(), "one group for every controller: " + result);
        assertTrue(groups.iterator().next().matches("/mydocker/[0-9a-f]{12}"), result.toString());
    }

    @Test
    void aTenthOfACpuIsThrottledToATenthOfTheTime() throws Exception {
        // The container has no /sys: it names its group, and the host looks there while it runs.
        Process container = mydocker.background("run", "-i", "--cpus", "0.1", "busybox", "sh", "-c",
                "cat /proc/self/cgroup; echo; " + SPIN_2S + "; cat");
        BufferedReader out = container.inputReader();
        Path group = hostGroup(untilBlankLine(container, out), "cpu");
        List<String> times = List.of(out.readLine(), out.readLine());
        long throttled = count(group.resolve("cpu.stat"), "nr_throttled");
        container.getOutputStream().close();
        assertEquals(0, Mydocker.waitFor(container), "the loop ended; times: " + times);
        assertThrottledToATenth(cpuSeconds(times.get(1)), throttled);
    }

    @Test
    void cpusetPinsTheContainer() {
        assertSuccess("Cpus_allowed_list:\t1\n",
                mydocker.run("run", "--cpuset-cpus", "1", "busybox", "grep", "Cpus_allowed_list", "/proc/self/status"));
        assertSuccess("Cpus_allowed_list:\t0\n",
                mydocker.run("run", "-cpuset", "0", "busybox", "grep", "Cpus_allowed_list", "/proc/self/status"));
    }

    @Test
    void cpuSharesReachTheContainersCgroup() throws Exception {
        Process container = mydocker.background("run", "-i", "-cpushare", "512", "busybox", "sh", "-c",
                "cat /proc/self/cgroup; echo; cat");
        Path group = hostGroup(untilBlankLine(container, container.inputReader()), "cpu");
        String shares = Files.readString(group.resolve(V2 ? "cpu.weight" : "cpu.shares")).trim();
        container.getOutputStream().close();
        assertEquals(0, Mydocker.waitFor(container));
        assertEquals(V2 ? "20" : "512", shares);
    }

    @Test
    void aContainerThatCannotJoinItsCgroupFailsAndLeavesNothing() {
        // A real-time process may only join a cpu cgroup that grants real-time CPU time, and a
        // new group grants none (cpu.rt_runtime_us is 0). Under chrt(1) mydocker, and so init,
        // is real-time: the kernel refuses init only when mydocker adds it to the group, with
        // init ready and everything else set up, which must all be undone. Init must die
        // there, or the command would run, and outlive mydocker.
        assumeTrue(Files.exists(Path.of("/sys/fs/cgroup/cpu/cpu.rt_runtime_us")),
                "this kernel has no real-time group scheduling (CONFIG_RT_GROUP_SCHED) on a cgroup v1 cpu hierarchy");
        CliIT.assertOneLineError(125, "cgroup", mydocker.runUnder(List.of("chrt", "--fifo", "1"), "run", "busybox", "sleep", "30"));
    }

    @Test
    void badLimitsAreRefusedBeforeAnythingStarts() {
        for (String[] bad : new String[][] {{"-m", "100x"}, {"-m", "-5m"}, {"-m", "0"}, {"--cpus", "0"},
                {"--cpus", "-1"}, {"--cpus", "100000"}, {"--cpuset-cpus", "4096"}, {"--cpu-shares", "1"}}) {
            Mydocker.Result result = mydocker.run(concat(concat(new String[] {"run"}, bad), new String[] {"busybox", "true"}));
            CliIT.assertOneLineError(125, bad[1], result);
        }
    }

    /**
     * --cpus 0.1 is a quota of 10 ms in every 100 ms. The kernel throttled the loop whenever it
     * used that up, and however busy the machine, the loop got at most about a tenth of its
     * 2 seconds. (A tenth, not a half: a loop on a busy machine may get less than half a CPU
     * anyway, and never reach a larger quota.)
     */
    static void assertThrottledToATenth(double cpuSeconds, long throttled) {
        assertTrue(throttled > 0, "the kernel never throttled the loop");
        assertTrue(cpuSeconds / 2 < 0.15, "--cpus 0.1 allows about 0.2 CPU seconds in 2, the loop used " + cpuSeconds);
    }

    /**
     * The container's group for a controller, from the /proc/self/cgroup it printed: on v1
     * "4:memory:/mydocker/ID", a line per hierarchy; on v2 "0::/mydocker/ID", one line.
     */
    static String group(List<String> procSelfCgroup, String controller) {
        for (String line : procSelfCgroup) {
            String[] fields = line.split(":", 3);
            if (V2 ? fields[0].equals("0") : List.of(fields[1].split(",")).contains(controller)) {
                return fields[2];
            }
        }
        throw new AssertionError("no " + controller + " group in " + procSelfCgroup);
    }

    /** Where the host sees that group. */
    static Path hostGroup(List<String> procSelfCgroup, String controller) {
        String group = group(procSelfCgroup, controller);
        return Path.of(V2 ? "/sys/fs/cgroup" + group : "/sys/fs/cgroup/" + controller + group);
    }

    /** The count that a key has in a flat-keyed file like cpu.stat ("nr_throttled 12"). */
    static long count(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith(key + " ")) {
                return Long.parseLong(line.substring(key.length() + 1));
            }
        }
        throw new AssertionError("no " + key + " in " + file);
    }

    /** The lines a background container prints up to a blank line. */
    private static List<String> untilBlankLine(Process container, BufferedReader out) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line = out.readLine(); !"".equals(line); line = out.readLine()) {
            if (line == null) {
                fail("the container ended early: " + lines + new String(container.getErrorStream().readAllBytes()));
            }
            lines.add(line);
        }
        return lines;
    }

    /** The CPU seconds in a line of sh's `times`: "0m1.004s 0m0.001s", user and system time. */
    private static double cpuSeconds(String times) {
        double total = 0;
        for (String time : times.split(" ")) {
            String[] minutes = time.replace("s", "").split("m");
            total += Integer.parseInt(minutes[0]) * 60 + Double.parseDouble(minutes[1]);
        }
        return total;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
