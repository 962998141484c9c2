package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup file logic against fake cgroup file systems in a temp dir: a v2 tree as on Ubuntu
 * 24.04, and v1 hierarchies as on this project's CI machines. The kernel fills a new cgroup
 * directory with its files; here the test stands in for it. Only closeRemovesTheGroup closes a
 * group: rmdir(2) takes a real cgroup's files with it, but not a fake one's.
 */
class CgroupTest {
    @TempDir
    Path root;

    static final Resources ALL = new Resources("100m", 100L << 20, 512, 50_000, "1");

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    @Test
    void v2WritesTheLimitsIntoOneGroup() throws IOException {
        write(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        write(root.resolve("cgroup.subtree_control"), "");
        write(root.resolve("mydocker/c1/memory.swap.max"), "max\n");
        Cgroup cgroup = Cgroup.create(root, "c1", ALL);
        assertInstanceOf(CgroupV2.class, cgroup);
        Path dir = root.resolve("mydocker/c1");
        assertEquals("+memory +cpu +cpuset", read(root.resolve("cgroup.subtree_control")));
        assertEquals("+memory +cpu +cpuset", read(root.resolve("mydocker/cgroup.subtree_control")));
        assertEquals(Long.toString(100L << 20), read(dir.resolve("memory.max")));
        assertEquals("0", read(dir.resolve("memory.swap.max")));
        assertEquals("1", read(dir.resolve("memory.oom.group")));
        assertEquals("50000 100000", read(dir.resolve("cpu.max")));
        assertEquals("20", read(dir.resolve("cpu.weight")));
        assertEquals("1", read(dir.resolve("cpuset.cpus")));
        cgroup.add(42);
        assertEquals("42", read(dir.resolve("cgroup.procs")));
        write(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\n");
        assertFalse(cgroup.oomKilled());
        write(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        assertTrue(cgroup.oomKilled());
    }

    @Test
    void v2WithoutLimitsWritesNoLimitFiles() throws IOException {
        write(root.resolve("cgroup.controllers"), "cpuset cpu memory\n");
        Cgroup cgroup = Cgroup.create(root, "c2", Resources.NONE);
        assertFalse(Files.exists(root.resolve("mydocker/c2/memory.max")));
        assertFalse(Files.exists(root.resolve("mydocker/c2/cpu.max")));
        assertFalse(cgroup.oomKilled());
    }

    @Test
    void v2NamesAMissingController() throws IOException {
        write(root.resolve("cgroup.controllers"), "cpu io memory pids\n");
        MydockerException e = assertThrows(MydockerException.class, () -> Cgroup.create(root, "c3", ALL));
        assertTrue(e.getMessage().contains("cpuset"), e.getMessage());
    }

    @Test
    void v2SharesMapOntoWeights() {
        assertEquals(1, CgroupV2.weight(2));
        assertEquals(39, CgroupV2.weight(1024));
        assertEquals(10000, CgroupV2.weight(262144));
    }

    @Test
    void v1WritesEachControllersFilesInItsOwnHierarchy() throws IOException {
        write(root.resolve("memory/memory.limit_in_bytes"), "9223372036854771712\n");
        write(root.resolve("cpu/cpu.shares"), "1024\n");
        write(root.resolve("cpuset/cpuset.cpus"), "0-1\n");
        write(root.resolve("cpuset/cpuset.mems"), "0\n");
        write(root.resolve("memory/mydocker/c4/memory.memsw.limit_in_bytes"), "9223372036854771712\n");
        Cgroup cgroup = Cgroup.create(root, "c4", ALL);
        assertInstanceOf(CgroupV1.class, cgroup);
        assertEquals(Long.toString(100L << 20), read(root.resolve("memory/mydocker/c4/memory.limit_in_bytes")));
        assertEquals(Long.toString(100L << 20), read(root.resolve("memory/mydocker/c4/memory.memsw.limit_in_bytes")));
        assertEquals("512", read(root.resolve("cpu/mydocker/c4/cpu.shares")));
        assertEquals("100000", read(root.resolve("cpu/mydocker/c4/cpu.cfs_period_us")));
        assertEquals("50000", read(root.resolve("cpu/mydocker/c4/cpu.cfs_quota_us")));
        // cpuset: every level needs CPUs and memory nodes, or joining fails with ENOSPC.
        assertEquals("0-1", read(root.resolve("cpuset/mydocker/cpuset.cpus")));
        assertEquals("0", read(root.resolve("cpuset/mydocker/cpuset.mems")));
        assertEquals("1", read(root.resolve("cpuset/mydocker/c4/cpuset.cpus")));
        assertEquals("0", read(root.resolve("cpuset/mydocker/c4/cpuset.mems")));
        cgroup.add(42);
        for (String controller : new String[] {"memory", "cpu", "cpuset"}) {
            assertEquals("42", read(root.resolve(controller + "/mydocker/c4/cgroup.procs")), controller);
        }
        write(root.resolve("memory/mydocker/c4/memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertTrue(cgroup.oomKilled());
    }

    @Test
    void v1CpusetWithoutALimitInheritsTheParents() throws IOException {
        write(root.resolve("cpuset/cpuset.cpus"), "0-3\n");
        write(root.resolve("cpuset/cpuset.mems"), "0\n");
        Cgroup cgroup = Cgroup.create(root, "c5", Resources.NONE);
        assertEquals("0-3", read(root.resolve("cpuset/mydocker/c5/cpuset.cpus")));
        assertFalse(Files.exists(root.resolve("memory/mydocker/c5/memory.limit_in_bytes")));
        assertFalse(cgroup.oomKilled());
    }

    @Test
    void closeRemovesTheGroup() throws IOException {
        write(root.resolve("cgroup.controllers"), "cpuset cpu memory\n");
        Cgroup cgroup = Cgroup.create(root, "c6", Resources.NONE);
        assertTrue(Files.isDirectory(root.resolve("mydocker/c6")));
        cgroup.close();
        assertFalse(Files.exists(root.resolve("mydocker/c6")));
    }
}
