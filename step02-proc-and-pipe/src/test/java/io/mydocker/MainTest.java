package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Main builds the model of the subcommand named, and of all of them only when none is; and bad
 * input gets one line.
 */
class MainTest {
    static Set<String> subcommands(String... args) {
        return Main.commandLine(args).getSubcommands().keySet();
    }

    @Test
    void onlyTheNamedSubcommandIsBuilt() {
        for (Class<?> subcommand : Main.SUBCOMMANDS) {
            String name = subcommand.getAnnotation(Command.class).name();
            assertEquals(Set.of(name), subcommands("--root", "/tmp/state", name, "--help"));
        }
    }

    @Test
    void mydockersOwnOptionsAndTheirValuesComeFirst() {
        assertEquals(Set.of("run"), subcommands("-h", "--root", "/tmp/state", "run", "busybox"));
        assertEquals(Set.of("run"), subcommands("--root=/tmp/state", "run", "busybox"));
        CommandLine commandLine = Main.commandLine("--root", "/tmp/state", "run", "busybox");
        Main main = (Main) commandLine.parseArgs("--root", "/tmp/state", "run", "busybox").commandSpec().userObject();
        assertEquals(Path.of("/tmp/state"), main.root);
    }

    @Test
    void helpAndTyposGetThemAll() {
        assertEquals(Main.SUBCOMMANDS.size(), subcommands().size());
        assertEquals(Main.SUBCOMMANDS.size(), subcommands("--help").size());
        assertEquals(Main.SUBCOMMANDS.size(), subcommands("--root", "/tmp/state", "rnu", "busybox").size());
    }

    @Test
    void aBadOptionWithANewlineIsOneLine() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(MydockerException.OWN_ERROR, Main.execute("--bad\noption"));
        } finally {
            System.setErr(stderr);
        }
        String line = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.startsWith("mydocker: ") && line.contains("--bad\\noption"), line);
    }
}
