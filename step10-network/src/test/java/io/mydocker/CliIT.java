package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Bad input gets one line on stderr, docker's exit codes, and leaves nothing behind. */
class CliIT extends ContainerTestBase {
    static void assertOneLineError(int exitCode, String mentions, Mydocker.Result result) {
        assertEquals(exitCode, result.exitCode(), result.toString());
        assertEquals(1, result.err().lines().count(), result.toString());
        assertTrue(result.err().startsWith("mydocker: "), result.toString());
        assertTrue(result.err().contains(mentions), result.toString());
    }

    @Test
    void runNeedsRoot() throws Exception {
        assertOneLineError(125, "needs root", mydocker.runAsNobody("run", "busybox", "/bin/true"));
    }

    @Test
    void aCommandThatIsNotFoundExits127() {
        assertOneLineError(127, "/no/such/command", mydocker.run("run", "busybox", "/no/such/command"));
    }

    @Test
    void aCommandThatIsNotExecutableExits126() {
        assertOneLineError(126, "/etc/passwd", mydocker.run("run", "busybox", "/etc/passwd"));
    }

    @Test
    void anUnknownOptionExits125() {
        assertOneLineError(125, "--no-such-option", mydocker.run("run", "--no-such-option", "busybox", "/bin/true"));
    }

    @Test
    void anUnknownSubcommandExits125() {
        assertOneLineError(125, "'frobnicate'", mydocker.run("frobnicate"));
    }

    @Test
    void runWithoutAnImageExits125() {
        assertOneLineError(125, "IMAGE", mydocker.run("run"));
    }

    @Test
    void helpAndVersion() {
        Mydocker.Result help = mydocker.run("run", "--help");
        assertEquals(0, help.exitCode(), help.toString());
        assertTrue(help.out().contains("Usage: mydocker run"), help.toString());
        assertEquals("", help.err(), help.toString());
        Mydocker.Result version = mydocker.run("--version");
        assertEquals(0, version.exitCode(), version.toString());
        assertTrue(version.out().startsWith("mydocker " + Path.of("").toAbsolutePath().getFileName()), version.toString());
        assertEquals("", version.err(), version.toString());
    }
}
