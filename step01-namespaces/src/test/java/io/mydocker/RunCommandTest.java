package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The command line, parsed as `mydocker` parses it, without running anything. */
class RunCommandTest {
    static RunCommand parse(String... args) {
        ParseResult result = Main.commandLine().parseArgs(args);
        return (RunCommand) result.subcommand().commandSpec().userObject();
    }

    @Test
    void dashTiIsTwoFlags() {
        RunCommand run = parse("run", "-ti", "/bin/sh");
        assertTrue(run.tty);
        assertTrue(run.interactive);
        assertEquals("/bin/sh", run.command);
    }

    @Test
    void optionsStopAtTheCommand() {
        RunCommand run = parse("run", "-i", "stress", "-t", "1");
        assertTrue(run.interactive);
        assertEquals(false, run.tty);
        assertEquals("stress", run.command);
        assertEquals(List.of("-t", "1"), run.args);
    }

    @Test
    void theStateRootIsAGlobalOption() {
        ParseResult result = Main.commandLine().parseArgs("--root", "/tmp/state", "run", "sh");
        assertEquals(Path.of("/tmp/state"), ((Main) result.commandSpec().userObject()).root);
    }

    @Test
    void unknownOptionsAreRefused() {
        assertThrows(CommandLine.UnmatchedArgumentException.class, () -> parse("run", "--nope", "sh"));
    }
}
