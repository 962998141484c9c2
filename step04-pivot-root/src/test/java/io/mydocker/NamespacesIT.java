package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What namespaces(7) give a container, as a learner sees it from a shell inside. */
class NamespacesIT extends ContainerTestBase {
    @Test
    void theShellIsPid1() {
        Mydocker.Result result = mydocker.run("run", "busybox", "/bin/sh", "-c", "echo $$");
        assertEquals("1\n", result.out(), result.toString());
    }

    @Test
    void aHostnameSetInsideDoesNotChangeTheHosts() {
        String host = Mydocker.hostHostname();
        Mydocker.Result result = mydocker.run("run", "busybox", "/bin/sh", "-c", "hostname inside-test && hostname");
        assertEquals("inside-test\n", result.out(), result.toString());
        assertEquals(host, Mydocker.hostHostname());
    }

    @Test
    void theNetworkHasOnlyLoopback() {
        Mydocker.Result result = mydocker.run("run", "busybox", "/bin/sh", "-c", "ip -o link | cut -d: -f2");
        assertEquals(" lo\n", result.out(), result.toString());
    }

    @Test
    void mydockerExitsWithTheCommandsStatus() {
        assertEquals(42, mydocker.run("run", "busybox", "/bin/sh", "-c", "exit 42").exitCode());
        assertEquals(0, mydocker.run("run", "busybox", "/bin/true").exitCode());
    }

    @Test
    void outputReachesTheCallerWithoutTi() {
        Mydocker.Result result = mydocker.run("run", "busybox", "/bin/sh", "-c", "echo out; echo err >&2");
        assertEquals("out\n", result.out(), result.toString());
        assertEquals("err\n", result.err(), result.toString());
    }

    @Test
    void dashIConnectsStdin() {
        assertEquals("hello\n", mydocker.runWithInput("hello\n", "run", "-i", "busybox", "/bin/cat").out());
        // -ti needs a terminal to put in raw mode (TerminalIT types into one); as docker says, input
        // from a file is not one.
        CliIT.assertOneLineError(125, "not a terminal", mydocker.runWithInput("hello\n", "run", "-ti", "busybox", "/bin/cat"));
        assertEquals("", mydocker.runWithInput("hello\n", "run", "busybox", "/bin/cat").out(), "without -i stdin is empty");
    }

    @Test
    void optionsAfterTheCommandBelongToTheCommand() {
        Mydocker.Result result = mydocker.run("run", "busybox", "/bin/sh", "-c", "echo \"$@\"", "sh", "-m", "1", "--help");
        assertEquals("-m 1 --help\n", result.out(), result.toString());
    }
}
