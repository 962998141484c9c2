package io.mydocker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The limits given to `run`, checked before anything is created. A field that is 0 or null was not
 * given.
 *
 * @param memory        the -m value as the user wrote it, e.g. "100m"
 * @param memoryBytes   the memory limit in bytes
 * @param cpuShares     the relative CPU weight (docker's default is 1024)
 * @param cpuQuota      microseconds of CPU time per CPU_PERIOD microseconds
 * @param cpusetCpus    the CPUs the container may run on, e.g. "0-1,3"
 */
record Resources(String memory, long memoryBytes, int cpuShares, long cpuQuota, String cpusetCpus) {
    static final Resources NONE = new Resources(null, 0, 0, 0, null);
    /** The CFS period: --cpus 0.5 means 50 ms of CPU time in every 100 ms. */
    static final long CPU_PERIOD = 100_000;

    static Resources of(String memory, Integer cpuShares, String cpus, String cpusetCpus) {
        Set<Integer> online = onlineCpus();
        return new Resources(memory,
                memory == null ? 0 : parseMemory(memory),
                cpuShares == null ? 0 : checkShares(cpuShares),
                cpus == null ? 0 : parseCpus(cpus, online.size()),
                cpusetCpus == null ? null : checkCpuset(cpusetCpus, online));
    }

    // tag::memory[]
    /** Parses docker's memory sizes: a number with an optional unit b, k, m or g. */
    static long parseMemory(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        if (!v.isEmpty() && "bkmg".indexOf(v.charAt(v.length() - 1)) >= 0) {
            unit = switch (v.charAt(v.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                default -> 1;
            };
            v = v.substring(0, v.length() - 1);
        }
        long number = v.matches("[0-9]{1,12}") ? Long.parseLong(v) : -1;
        if (number <= 0 || number > Long.MAX_VALUE / unit) {
            throw new MydockerException("invalid memory limit '" + value
                    + "': give a positive size with an optional unit b, k, m or g, e.g. -m 100m");
        }
        return number * unit;
    }
    // end::memory[]

    /** Parses --cpus, a number of CPUs like 0.5, into a CFS quota per CPU_PERIOD. */
    static long parseCpus(String value, int onlineCpus) {
        double cpus;
        try {
            cpus = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            cpus = Double.NaN;
        }
        if (!(cpus > 0 && cpus <= onlineCpus)) {
            throw new MydockerException("invalid --cpus '" + value + "': give a number of CPUs above 0 and at most "
                    + onlineCpus + " (the CPUs this machine has), e.g. --cpus 0.5");
        }
        return Math.max(1000, Math.round(cpus * CPU_PERIOD));
    }

    static int checkShares(int shares) {
        if (shares < 2 || shares > 262144) {
            throw new MydockerException("invalid --cpu-shares " + shares
                    + ": give a weight from 2 to 262144 (the default is 1024)");
        }
        return shares;
    }

    /** Checks a cpuset list like "0-1,3" against the CPUs that are online. */
    static String checkCpuset(String value, Set<Integer> online) {
        Set<Integer> wanted;
        try {
            wanted = parseCpuList(value);
        } catch (IllegalArgumentException e) {
            wanted = Set.of();
        }
        if (wanted.isEmpty()) {
            throw new MydockerException("invalid --cpuset-cpus '" + value
                    + "': give CPU numbers or ranges, e.g. 0 or 0-1,3");
        }
        if (!online.containsAll(wanted)) {
            throw new MydockerException("--cpuset-cpus '" + value + "' names a CPU this machine does not have;"
                    + " the CPUs online are " + online);
        }
        return value.trim();
    }

    /** Parses the kernel's CPU list format (cpuset(7)), as in /sys/devices/system/cpu/online. */
    static Set<Integer> parseCpuList(String list) {
        Set<Integer> cpus = new TreeSet<>();
        for (String part : list.trim().split(",")) {
            String[] range = part.split("-", -1);
            if (range.length > 2) {
                throw new IllegalArgumentException(part);
            }
            int from = Integer.parseInt(range[0]);
            int to = Integer.parseInt(range[range.length - 1]);
            if (from < 0 || to < from) {
                throw new IllegalArgumentException(part);
            }
            for (int cpu = from; cpu <= to; cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }

    private static Set<Integer> onlineCpus() {
        try {
            return parseCpuList(Files.readString(Path.of("/sys/devices/system/cpu/online")));
        } catch (IOException e) {
            throw new MydockerException("cannot read the online CPUs: " + e.getMessage());
        }
    }
}
