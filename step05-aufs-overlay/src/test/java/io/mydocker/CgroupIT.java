package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The limits of -m, --cpus, --cpuset-cpus and --cpu-shares, as a process inside feels them. */
class CgroupIT extends ContainerTestBase {
    // dd allocates a buffer of bs bytes: 100M does not fit in 32m, 16M fits in 64m.
    static final String[] ALLOCATE_100M = {"dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1"};
    static final String[] ALLOCATE_16M = {"dd", "if=/dev/zero", "of=/dev/null", "bs=16M", "count=1"};
    // Spins for 2 seconds, then prints the CPU seconds it used (the second line of sh's `times`).
    static final String SPIN_2S = "timeout 2 sh -c 'while :; do :; done'; times";

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
        Mydocker.Result result = mydocker.run("run", "-m", "4m", "busybox", "true");
        assertEquals(0, result.exitCode(), result.toString());
    }

    @Test
    void halfACpuGetsAboutHalfTheTime() {
        double limited = cpuSeconds(mydocker.run("run", "--cpus", "0.5", "busybox", "sh", "-c", SPIN_2S));
        double free = cpuSeconds(mydocker.run("run", "busybox", "sh", "-c", SPIN_2S));
        assertTrue(free > 1.4, "without a limit the loop should use nearly 2 CPU seconds, used " + free);
        assertTrue(limited > 0.6 && limited < 1.3, "--cpus 0.5 should give about 1 CPU second in 2, gave " + limited);
    }

    @Test
    void cpusetPinsTheContainer() {
        Mydocker.Result result = mydocker.run("run", "--cpuset-cpus", "1", "busybox", "grep", "Cpus_allowed_list", "/proc/self/status");
        assertEquals("Cpus_allowed_list:\t1", result.out().trim(), result.toString());
        result = mydocker.run("run", "-cpuset", "0", "busybox", "grep", "Cpus_allowed_list", "/proc/self/status");
        assertEquals("Cpus_allowed_list:\t0", result.out().trim(), result.toString());
    }

    @Test
    void cpuSharesReachTheCgroup() throws Exception {
        // The container has no /sys: look at its cgroup from the host while it runs.
        boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
        Path parent = Path.of(v2 ? "/sys/fs/cgroup/mydocker" : "/sys/fs/cgroup/cpu/mydocker");
        Process container = mydocker.background("run", "-cpushare", "512", "busybox", "sleep", "2");
        try {
            Path file = null;
            for (int tries = 0; file == null && tries < 200; tries++) {
                Thread.sleep(50);
                try (Stream<Path> groups = Files.isDirectory(parent) ? Files.list(parent) : Stream.empty()) {
                    file = groups.filter(Files::isDirectory).map(group -> group.resolve(v2 ? "cpu.weight" : "cpu.shares"))
                            .filter(Files::exists).findFirst().orElse(null);
                }
            }
            assertTrue(file != null, "no cgroup of the container under " + parent);
            assertEquals(v2 ? "20" : "512", Files.readString(file).trim());
        } finally {
            assertEquals(0, container.waitFor());
        }
    }

    @Test
    void badLimitsAreRefusedBeforeAnythingStarts() {
        for (String[] bad : new String[][] {{"-m", "100x"}, {"-m", "-5m"}, {"-m", "0"}, {"--cpus", "0"},
                {"--cpus", "-1"}, {"--cpus", "100000"}, {"--cpuset-cpus", "4096"}, {"--cpu-shares", "1"}}) {
            Mydocker.Result result = mydocker.run(concat(concat(new String[] {"run"}, bad), new String[] {"busybox", "true"}));
            CliIT.assertOneLineError(125, bad[1], result);
        }
    }

    private static double cpuSeconds(Mydocker.Result result) {
        // "0m1.004s 0m0.001s": user and system time of the loop
        assertEquals(0, result.exitCode(), result.toString());
        double total = 0;
        List<String> lines = result.out().lines().toList();
        for (String time : lines.get(lines.size() - 1).split(" ")) {
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
