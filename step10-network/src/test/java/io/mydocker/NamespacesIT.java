package io.mydocker;

import static io.mydocker.Mydocker.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What namespaces(7) give a container, as a learner sees it from a shell inside. */
class NamespacesIT extends ContainerTestBase {
    @Test
    void theShellIsPid1() {
        assertSuccess("1\n", mydocker.run("run", "busybox", "/bin/sh", "-c", "echo $$"));
    }

    @Test
    void ipcUtsNetPidAndMountNamespacesAreTheContainersOwn() throws IOException {
        // /proc/self/ns names the namespaces of the process that reads it, whichever /proc that is.
        List<String> kinds = List.of("ipc", "uts", "net", "pid", "mnt", "cgroup", "user", "time");
        Mydocker.Result result = mydocker.run("run", "busybox", "/bin/sh", "-c",
                "for ns in " + String.join(" ", kinds) + "; do readlink /proc/self/ns/$ns; done");
        assertEquals(0, result.exitCode(), result.toString());
        List<String> inside = result.out().lines().toList();
        assertEquals(kinds.size(), inside.size(), result.toString());
        List<String> shared = new ArrayList<>();
        for (int i = 0; i < kinds.size(); i++) {
            if (inside.get(i).equals(Files.readSymbolicLink(Path.of("/proc/self/ns", kinds.get(i))).toString())) {
                shared.add(kinds.get(i));
            }
        }
        assertEquals(List.of("cgroup", "user", "time"), shared, "the namespaces shared with the host: " + result);
    }

    @Test
    void aHostnameSetInsideDoesNotChangeTheHosts() {
        // Under a UTS namespace of unshare(1)'s: were the container's hostname not its own, the
        // test would rename unshare's namespace, not the machine.
        Mydocker.Result result = mydocker.runUnder(
                List.of("unshare", "--uts", "sh", "-c", "hostname outside && \"$@\" && hostname", "sh"),
                "run", "busybox", "/bin/sh", "-c", "hostname inside && hostname");
        assertSuccess("inside\noutside\n", result);
    }

    @Test
    void theNetworkHasOnlyLoopback() {
        assertSuccess(" lo\n", mydocker.run("run", "busybox", "/bin/sh", "-c", "ip -o link | cut -d: -f2"));
    }

    @Test
    void mydockerExitsWithTheCommandsStatus() {
        assertEquals(42, mydocker.run("run", "busybox", "/bin/sh", "-c", "exit 42").exitCode());
        assertSuccess("", mydocker.run("run", "busybox", "/bin/true"));
    }

    @Test
    void outputReachesTheCallerWithoutTi() {
        Mydocker.Result result = mydocker.run("run", "busybox", "/bin/sh", "-c", "echo out; echo err >&2");
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("out\n", result.out(), result.toString());
        assertEquals("err\n", result.err(), result.toString());
    }

    @Test
    void dashIConnectsStdin() {
        assertSuccess("hello\n", mydocker.runWithInput("hello\n", "run", "-i", "busybox", "/bin/cat"));
        // -ti needs a terminal to put in raw mode (TerminalIT types into one); as docker says, input
        // from a file is not one.
        CliIT.assertOneLineError(125, "not a terminal", mydocker.runWithInput("hello\n", "run", "-ti", "busybox", "/bin/cat"));
        // Without -i the command reads an empty stdin: cat ends at once, and prints nothing.
        assertSuccess("", mydocker.runWithInput("hello\n", "run", "busybox", "/bin/cat"));
    }

    @Test
    void optionsAfterTheCommandBelongToTheCommand() {
        assertSuccess("-m 1 --help\n", mydocker.run("run", "busybox", "/bin/sh", "-c", "echo \"$@\"", "sh", "-m", "1", "--help"));
    }
}
