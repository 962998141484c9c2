package io.mydocker;

import com.sun.jna.LastErrorException;
import java.util.ArrayList;
import java.util.List;

/** One `mydocker run`: start init in new namespaces with the command, wait for the end. */
final class Container {
    private Container() {
    }

    // tag::run[]
    static int run(List<String> command, boolean interactive, boolean tty) {
        int pid = Namespaces.spawnInNew(() -> PosixSpawn.spawn(
                SelfExe.initCommand(command), environment(tty), interactive));
        return waitFor(pid);
    }
    // end::run[]

    /** A fresh environment, as docker gives one: nothing of the caller's leaks in. */
    private static List<String> environment(boolean tty) {
        List<String> env = new ArrayList<>();
        env.add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.add("HOME=/root");
        // A UTF-8 locale, so that the init JVM passes non-ASCII arguments and names through intact.
        env.add("LANG=C.UTF-8");
        if (tty) {
            String term = System.getenv("TERM");
            env.add("TERM=" + (term == null ? "xterm" : term));
        }
        return env;
    }

    /** waitpid(2), turned into a shell-style exit status: 128 + n for death by signal n. */
    static int waitFor(int pid) {
        int[] status = new int[1];
        while (true) {
            try {
                LibC.waitpid(pid, status, 0);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw e;
                }
            }
        }
        int signal = status[0] & 0x7f;
        return signal == 0 ? (status[0] >> 8) & 0xff : 128 + signal;
    }
}
