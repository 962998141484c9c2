package io.mydocker;

import static io.mydocker.Mydocker.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A fresh /proc, a command that arrives through the pipe and becomes PID 1, private mounts. */
class ProcIT extends ContainerTestBase {
    @Test
    void psSeesOnlyItselfAsPid1AndNoJvm() {
        Mydocker.Result result = mydocker.run("run", "busybox", "ps", "-e", "-o", "pid=,comm=");
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("1 ps", result.out().trim(), result.toString()); // ps pads the pid with spaces
        assertEquals("", result.err(), result.toString());
    }

    @Test
    void theHostsProcessesAreInvisible() {
        // The container's own /proc has its PID 1, and not the pid of this JVM on the host.
        long me = ProcessHandle.current().pid();
        assertSuccess("1\n", mydocker.run("run", "busybox", "sh", "-c",
                "for pid in 1 " + me + "; do if test -e /proc/$pid/status; then echo $pid; fi; done"));
    }

    @Test
    void argumentsCrossThePipeIntact() {
        assertSuccess("[a b][][line\nbreak][ü]", mydocker.run("run", "busybox", "printf", "[%s]", "a b", "", "line\nbreak", "ü"));
    }

    @Test
    void theCommandIsLookedUpOnPath() {
        assertSuccess("found\n", mydocker.run("run", "busybox", "sh", "-c", "echo found"));
    }

    @Test
    void theHostsProcSurvivesEvenWhereMountsAreShared() {
        // systemd makes "/" shared; this host may not, so make a shared copy of it with unshare(1).
        // Had the container's /proc propagated, this shell would see more /proc mounts afterwards,
        // the top one showing a dead namespace.
        String count = "grep -c ' /proc ' /proc/self/mountinfo";
        String check = "before=$(" + count + ") && \"$@\" && \"$@\" && echo $before $(" + count + ")";
        Mydocker.Result result = mydocker.runUnder(
                List.of("unshare", "--mount", "--propagation", "shared", "sh", "-c", check, "sh"), "run", "busybox", "true");
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("", result.err(), result.toString());
        String[] counts = result.out().trim().split(" ");
        assertEquals(counts[0], counts[1], "/proc mounts before and after two runs\n" + result);
    }
}
