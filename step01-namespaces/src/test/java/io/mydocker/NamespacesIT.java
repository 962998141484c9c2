package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What namespaces(7) give a container, as a learner sees it from a shell inside. */
class NamespacesIT extends ContainerTestBase {
    @Test
    void theShellIsPid1() {
        Mydocker.Result result = mydocker.run("run", "/bin/sh", "-c", "echo $$");
        assertEquals("1\n", result.out(), result.toString());
    }

    @Test
    void aHostnameSetInsideDoesNotChangeTheHosts() {
        String host = Mydocker.hostHostname();
        Mydocker.Result result = mydocker.run("run", "/bin/sh", "-c", "hostname inside-test && hostname");
        assertEquals("inside-test\n", result.out(), result.toString());
        assertEquals(host, Mydocker.hostHostname());
    }

    @Test
    void theNetworkHasOnlyLoopback() {
        Mydocker.Result result = mydocker.run("run", "/bin/sh", "-c", "ip -o link | cut -d: -f2");
        assertEquals(" lo\n", result.out(), result.toString());
    }

    @Test
    void theHostsProcessesAreStillInTheHostsProc() {
        // /proc is still the host's, so ps would list the host's processes: step02 mounts a fresh one.
        long me = ProcessHandle.current().pid();
        Mydocker.Result result = mydocker.run("run", "/bin/sh", "-c", "ls /proc | grep -cx " + me);
        assertEquals("1\n", result.out(), result.toString());
    }

    @Test
    void mydockerExitsWithTheCommandsStatus() {
        assertEquals(42, mydocker.run("run", "/bin/sh", "-c", "exit 42").exitCode());
        assertEquals(0, mydocker.run("run", "/bin/true").exitCode());
    }

    @Test
    void outputReachesTheCallerWithoutTi() {
        Mydocker.Result result = mydocker.run("run", "/bin/sh", "-c", "echo out; echo err >&2");
        assertEquals("out\n", result.out(), result.toString());
        assertEquals("err\n", result.err(), result.toString());
    }

    @Test
    void dashIConnectsStdin() {
        assertEquals("hello\n", mydocker.runWithInput("hello\n", "run", "-i", "/bin/cat").out());
        // -ti needs a terminal to put in raw mode (TerminalIT types into one); as docker says, input
        // from a file is not one.
        CliIT.assertOneLineError(125, "not a terminal", mydocker.runWithInput("hello\n", "run", "-ti", "/bin/cat"));
        assertEquals("", mydocker.runWithInput("hello\n", "run", "/bin/cat").out(), "without -i stdin is empty");
    }

    @Test
    void optionsAfterTheCommandBelongToTheCommand() {
        Mydocker.Result result = mydocker.run("run", "/bin/sh", "-c", "echo \"$@\"", "sh", "-m", "1", "--help");
        assertEquals("-m 1 --help\n", result.out(), result.toString());
    }
}
