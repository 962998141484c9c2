package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * mydocker run from a terminal, as a learner runs it: -t gives the container a terminal of its
 * own, and no container, with -t or without, can reach the caller's.
 */
class TerminalIT extends ContainerTestBase {
    /**
     * A program in the container that types a command into every terminal it can reach, as
     * TIOCSTI (ioctl_tty(2)) lets a process with CAP_SYS_ADMIN do: its stdin, stdout, stderr,
     * its controlling terminal /dev/tty, and /dev/console. It runs in the image "perl", which
     * the host's perl makes (every Debian and Ubuntu host has one).
     */
    static List<String> typeInto(String command) {
        return List.of("perl", "/usr/bin/perl", "-e", "for my $file ('+<&=0', '+<&=1', '+<&=2', '+</dev/tty', '+</dev/console') {"
                + " open(my $terminal, $file) or next; for (split(//, $ARGV[0])) { ioctl($terminal, 0x5412, $_) } }",
                command + "\n");
    }

    @Test
    void dashTiGivesBackTheShellsStatus() throws Exception {
        try (Terminal terminal = new Terminal(launcher("run", "-ti", "busybox", "sh"), 24, 80)) {
            terminal.awaitPrompt("/ # ");
            terminal.type("exit 3");
            assertEquals(3, terminal.waitFor(), terminal.screen());
            assertTrue(terminal.screen().matches("(?s)\n\nBusyBox [^\n]* built-in shell \\(ash\\)\n.*\n\n/ # exit 3\n"),
                    "no message from the shell about its terminal: " + terminal.screen());
        }
    }

    @Test
    void withDashTTheContainerHasATerminalOfItsOwn() throws Exception {
        try (Terminal terminal = new Terminal(launcher("run", "-t", "busybox", "sh", "-c",
                "tty; stty size; echo TERM=$TERM"), 33, 101)) {
            assertEquals(0, terminal.waitFor(), terminal.screen());
            List<String> lines = terminal.screen().lines().toList();
            assertTrue(lines.get(0).matches("/dev/pts/[0-9]+"), terminal.screen());
            assertEquals(List.of("33 101", "TERM=xterm"), lines.subList(1, lines.size()), "the size of the caller's terminal");
        }
    }

    @Test
    void withoutDashTTheContainerHasNoTerminal() throws Exception {
        try (Terminal terminal = new Terminal(launcher("run", "-i", "busybox", "sh", "-c",
                "tty; test -t 1 || echo stdout is no terminal"), 24, 80)) {
            assertEquals(0, terminal.waitFor(), terminal.screen());
            assertEquals("not a tty\nstdout is no terminal\n", terminal.screen());
        }
    }

    @Test
    void aResizedTerminalResizesTheContainers() throws Exception {
        try (Terminal terminal = new Terminal(launcher("run", "-t", "busybox", "sh", "-c",
                "trap 'stty size; exit 0' WINCH; stty size; while :; do sleep 0.1; done"), 24, 80)) {
            terminal.awaitText("24 80\n");
            terminal.resize(40, 120);
            assertEquals(0, terminal.waitFor(), terminal.screen());
            assertEquals("24 80\n40 120\n", terminal.screen());
        }
    }

    @Test
    void theCallersTerminalGetsItsSettingsBack() throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", "-c", "stty -g; \"$@\"; stty -g", "sh"));
        command.addAll(launcher("run", "-ti", "busybox", "true"));
        try (Terminal terminal = new Terminal(command, 24, 80)) {
            assertEquals(0, terminal.waitFor(), terminal.screen());
            List<String> settings = terminal.screen().lines().toList();
            assertEquals(2, settings.size(), terminal.screen());
            assertEquals(settings.get(0), settings.get(1), "the terminal is out of raw mode again");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-i", "-ti"})
    void theContainerCannotTypeIntoTheCallersTerminal(String mode) throws Exception {
        // What the container types, the shell that ran mydocker would read and run next.
        PerlImage.write(root);
        Path decoy = root.resolve("decoy");
        List<String> command = new ArrayList<>(List.of("sh", "-c", "\"$@\"; timeout --foreground --signal=KILL 3 sh", "sh"));
        List<String> run = new ArrayList<>(List.of("run"));
        if (!mode.isEmpty()) {
            run.add(mode);
        }
        run.addAll(typeInto("touch " + decoy));
        command.addAll(launcher(run.toArray(new String[0])));
        try (Terminal terminal = new Terminal(command, 24, 80)) {
            terminal.waitFor();
            assertFalse(Files.exists(decoy), "the caller's shell ran what the container typed:\n" + terminal.screen());
        }
    }

    @Test
    void closingTheTerminalEndsTheContainer() throws Exception {
        // SIGHUP reaches mydocker, which passes it on; the container's shell ends on it.
        String marker = "closing-test-" + root.getFileName();
        try (Terminal terminal = new Terminal(launcher("run", "-t", "busybox", "sh", "-c",
                "trap 'exit 0' HUP; echo " + marker + "; while :; do sleep 0.1; done"), 24, 80)) {
            terminal.awaitText(marker);
            terminal.hangUp();
            for (int tries = 0; running(marker) && tries < 300; tries++) {
                Thread.sleep(100);
            }
            assertFalse(running(marker), "the container still runs after its terminal closed");
        }
    }

    /** Whether a process runs whose command line holds the text. */
    private static boolean running(String text) throws Exception {
        return ProcessHandle.allProcesses().anyMatch(process -> process.info().arguments()
                .map(arguments -> String.join(" ", arguments).contains(text)).orElse(false));
    }

    private List<String> launcher(String... args) {
        List<String> command = new ArrayList<>(List.of(Terminal.launcher(), "--root", root.toString()));
        command.addAll(List.of(args));
        return command;
    }
}
