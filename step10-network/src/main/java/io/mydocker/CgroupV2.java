package io.mydocker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * cgroup v2: one unified tree. A controller works in a group only when its parent lists it in
 * cgroup.subtree_control, so ROOT and PARENT enable memory, cpu and cpuset for their children.
 * See the kernel's Documentation/admin-guide/cgroup-v2.rst.
 */
final class CgroupV2 extends Cgroup {
    private static final List<String> CONTROLLERS = List.of("memory", "cpu", "cpuset");
    private final Path dir;

    // tag::limits[]
    CgroupV2(Path root, String name, Resources resources) {
        List<String> available = List.of(read(root.resolve("cgroup.controllers")).split(" "));
        for (String controller : CONTROLLERS) {
            if (!available.contains(controller)) {
                throw new MydockerException("the cgroup v2 controller '" + controller
                        + "' is not available in " + root + "; enable it in the kernel or boot with it");
            }
        }
        Path parent = root.resolve(PARENT);
        createDirectory(parent);
        String enable = "+memory +cpu +cpuset";
        write(root.resolve("cgroup.subtree_control"), enable);
        write(parent.resolve("cgroup.subtree_control"), enable);
        dir = parent.resolve(name);
        createDirectory(dir);
        try {
            if (resources.memoryBytes() > 0) {
                write(dir.resolve("memory.max"), Long.toString(resources.memoryBytes()));
                if (Files.exists(dir.resolve("memory.swap.max"))) {
                    write(dir.resolve("memory.swap.max"), "0");
                }
                // When one process runs out of memory, the whole container goes, as in docker.
                write(dir.resolve("memory.oom.group"), "1");
            }
            if (resources.cpuShares() > 0) {
                write(dir.resolve("cpu.weight"), Long.toString(weight(resources.cpuShares())));
            }
            if (resources.cpuQuota() > 0) {
                write(dir.resolve("cpu.max"), resources.cpuQuota() + " " + Resources.CPU_PERIOD);
            }
            if (resources.cpusetCpus() != null) {
                write(dir.resolve("cpuset.cpus"), resources.cpusetCpus());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }
    // end::limits[]

    /** v1's cpu.shares (2..262144) mapped onto v2's cpu.weight (1..10000), as runc maps it. */
    static long weight(int shares) {
        return 1 + ((shares - 2) * 9999L) / 262142;
    }

    @Override
    void add(int pid) {
        write(dir.resolve("cgroup.procs"), Integer.toString(pid));
    }

    @Override
    boolean oomKilled() {
        return count(dir.resolve("memory.events"), "oom_kill") > 0;
    }

    @Override
    public void close() {
        removeDirectory(dir);
    }
}
