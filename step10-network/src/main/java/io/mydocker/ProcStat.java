package io.mydocker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * /proc/PID/stat (proc(5)): one line of numbers about a process. Its 22nd field, starttime, is
 * when the process started, in clock ticks after boot. A PID alone does not name a process for
 * ever: once the process is gone, the kernel gives its number to a new one. The PID and the
 * start time together do.
 */
final class ProcStat {
    private ProcStat() {
    }

    // tag::starttime[]
    /** The start time of process pid, or -1 if there is no such process. */
    static long startTime(int pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return -1;
        }
        // "PID (COMMAND) STATE PPID ...": the command may hold spaces and parentheses, so the
        // fields are counted from the last ")", where the third one begins.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[22 - 3]);
    }
    // end::starttime[]
}
