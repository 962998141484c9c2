package io.mydocker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * cgroup v1: one hierarchy per controller, at ROOT/memory, ROOT/cpu and ROOT/cpuset. The
 * container gets a directory named after it in each, under PARENT. See the kernel's
 * Documentation/admin-guide/cgroup-v1/.
 */
final class CgroupV1 extends Cgroup {
    static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuset");
    private final List<Path> dirs = new ArrayList<>();
    private final Path memory;

    // tag::limits[]
    CgroupV1(Path root, String name, Resources resources) {
        memory = root.resolve("memory").resolve(PARENT).resolve(name);
        try {
            for (String controller : CONTROLLERS) {
                Path hierarchy = root.resolve(controller);
                createDirectory(hierarchy.resolve(PARENT));
                if (controller.equals("cpuset")) {
                    // A new cpuset is empty, and a process cannot join an empty one (ENOSPC):
                    // every level must list its CPUs and memory nodes.
                    inheritCpuset(hierarchy, hierarchy.resolve(PARENT));
                }
                Path dir = hierarchy.resolve(PARENT).resolve(name);
                createDirectory(dir);
                dirs.add(dir);
                if (controller.equals("cpuset")) {
                    inheritCpuset(hierarchy.resolve(PARENT), dir);
                }
            }
            Path cpu = dirs.get(1);
            Path cpuset = dirs.get(2);
            if (resources.memoryBytes() > 0) {
                write(memory.resolve("memory.limit_in_bytes"), Long.toString(resources.memoryBytes()));
                // Swap counts too where the kernel accounts it, else the limit only pushes to swap.
                if (Files.exists(memory.resolve("memory.memsw.limit_in_bytes"))) {
                    write(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(resources.memoryBytes()));
                }
            }
            if (resources.cpuShares() > 0) {
                write(cpu.resolve("cpu.shares"), Integer.toString(resources.cpuShares()));
            }
            if (resources.cpuQuota() > 0) {
                write(cpu.resolve("cpu.cfs_period_us"), Long.toString(Resources.CPU_PERIOD));
                write(cpu.resolve("cpu.cfs_quota_us"), Long.toString(resources.cpuQuota()));
            }
            if (resources.cpusetCpus() != null) {
                write(cpuset.resolve("cpuset.cpus"), resources.cpusetCpus());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }
    // end::limits[]

    private static void inheritCpuset(Path from, Path to) {
        for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
            if (!Files.exists(to.resolve(file)) || read(to.resolve(file)).isEmpty()) {
                write(to.resolve(file), read(from.resolve(file)));
            }
        }
    }

    // tag::add[]
    @Override
    void add(int pid) {
        for (Path dir : dirs) {
            // cgroup.procs moves the whole process; v1's "tasks" would move only one thread.
            write(dir.resolve("cgroup.procs"), Integer.toString(pid));
        }
    }
    // end::add[]

    @Override
    boolean oomKilled() {
        return count(memory.resolve("memory.oom_control"), "oom_kill") > 0;
    }

    @Override
    public void close() {
        dirs.forEach(Cgroup::removeDirectory);
        dirs.clear();
    }
}
