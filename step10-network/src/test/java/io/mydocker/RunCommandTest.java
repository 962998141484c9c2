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
        RunCommand run = parse("run", "-ti", "busybox", "/bin/sh");
        assertTrue(run.tty);
        assertTrue(run.interactive);
        assertEquals("busybox", run.image);
        assertEquals("/bin/sh", run.command);
    }

    @Test
    void optionsStopAtTheCommand() {
        RunCommand run = parse("run", "-m", "100m", "busybox", "stress", "-m", "1");
        assertEquals("100m", run.memory);
        assertEquals("stress", run.command);
        assertEquals(List.of("-m", "1"), run.args);
    }

    @Test
    void theCommandDefaultsToSh() {
        RunCommand run = parse("run", "-ti", "busybox");
        assertEquals("busybox", run.image);
        assertEquals("sh", run.command);
        assertEquals(List.of(), run.args);
    }

    @Test
    void volumesRepeat() {
        RunCommand run = parse("run", "-v", "/a:/a", "--volume", "/b:/b:ro", "busybox", "sh", "-v");
        assertEquals(List.of("/a:/a", "/b:/b:ro"), run.volumes);
        assertEquals(List.of("-v"), run.args, "after the command, -v is the command's");
    }

    @Test
    void theBooksSpellingsWork() {
        RunCommand run = parse("run", "-cpushare", "512", "-cpuset", "0-1", "busybox", "sh");
        assertEquals(512, run.cpuShares);
        assertEquals("0-1", run.cpusetCpus);
        run = parse("run", "--cpu-shares", "256", "--cpuset-cpus", "1", "--cpus", "0.5", "--memory", "1g", "busybox", "sh");
        assertEquals(256, run.cpuShares);
        assertEquals("1", run.cpusetCpus);
        assertEquals("0.5", run.cpus);
        assertEquals("1g", run.memory);
    }

    @Test
    void theStateRootIsAGlobalOption() {
        ParseResult result = Main.commandLine().parseArgs("--root", "/tmp/state", "run", "busybox");
        assertEquals(Path.of("/tmp/state"), ((Main) result.commandSpec().userObject()).root);
    }

    @Test
    void unknownOptionsAreRefused() {
        assertThrows(CommandLine.UnmatchedArgumentException.class, () -> parse("run", "--nope", "busybox"));
    }
}
