package io.mydocker;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A command run in a terminal, as a learner runs mydocker: script(1) runs it in a
 * pseudo-terminal of its own, passes on what the test types, and gives back what the terminal
 * shows. So a test sees prompts, echo and a raw-mode shell as a person would.
 */
final class Terminal implements AutoCloseable {
    private static final long TIMEOUT_SECONDS = 60;

    private final Process process;
    private final OutputStream keyboard;
    private final Thread screenReader;
    private final StringBuilder shown = new StringBuilder();
    /** How much of the screen there was when the test last typed. */
    private int typedAt;

    /** Runs the words of command, unchanged, in a new terminal of rows x columns. */
    Terminal(List<String> command, int rows, int columns) throws IOException {
        // script's -c takes one line for sh: quote every word. stty gives the terminal its size.
        String line = "stty rows " + rows + " cols " + columns + " && exec "
                + command.stream().map(Terminal::quote).collect(Collectors.joining(" "));
        ProcessBuilder builder = new ProcessBuilder("script", "--quiet", "--return", "--flush",
                "--command", line, "/dev/null").redirectErrorStream(true);
        // The launcher must run the JDK that runs the tests (17 or 25).
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("TERM", "xterm");
        process = builder.start();
        keyboard = process.getOutputStream();
        screenReader = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                byte[] buffer = new byte[4096];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    synchronized (shown) {
                        shown.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                        shown.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the terminal is gone
            }
        }, "terminal");
        screenReader.setDaemon(true);
        screenReader.start();
    }

    /** Closes the terminal, as a person closes its window: what runs in it gets SIGHUP. */
    void hangUp() {
        process.destroyForcibly();
    }

    /**
     * What the terminal shows so far, as lines a person reads: without the carriage returns a
     * terminal needs, and without the escape sequences that programs send it (busybox's shell
     * asks for the cursor's position before each prompt).
     */
    String screen() {
        synchronized (shown) {
            return shown.toString().replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").replace("\r", "");
        }
    }

    /**
     * Waits until the last line of the screen is the prompt, with nothing typed after it: a new
     * prompt, after the line that the test typed last.
     */
    void awaitPrompt(String prompt) throws InterruptedException {
        await("the prompt '" + prompt + "'", screen -> screen.equals(prompt) && typedAt == 0
                || screen.endsWith("\n" + prompt) && screen.indexOf('\n', typedAt) >= 0);
    }

    /** Waits until the screen shows the text. */
    void awaitText(String text) throws InterruptedException {
        await("'" + text + "'", screen -> screen.contains(text));
    }

    private void await(String what, Predicate<String> shows) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        synchronized (shown) {
            while (!shows.test(screen())) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive()) {
                    fail("the terminal never showed " + what + "; it shows:\n" + screen());
                }
                shown.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /**
     * Resizes the terminal, as a person resizes its window: the kernel then sends SIGWINCH to the
     * program in the foreground. stty(1) does it on the terminal that the command has as stdin.
     */
    void resize(int rows, int columns) throws Exception {
        ProcessHandle command = process.children().findFirst().orElseThrow();
        Path terminal = Files.readSymbolicLink(Path.of("/proc/" + command.pid() + "/fd/0"));
        Process stty = new ProcessBuilder("stty", "-F", terminal.toString(), "rows", Integer.toString(rows),
                "cols", Integer.toString(columns)).inheritIO().start();
        if (!stty.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || stty.exitValue() != 0) {
            fail("stty -F " + terminal + " failed");
        }
    }

    /** Types a line, and Enter. */
    void type(String line) throws IOException {
        typedAt = screen().length();
        keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
    }

    /** Waits for the command to end, and returns its exit status. */
    int waitFor() throws InterruptedException {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the command in the terminal did not end within " + TIMEOUT_SECONDS + " s; it shows:\n" + screen());
        }
        screenReader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS)); // the rest of what it showed
        return process.exitValue();
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        keyboard.close();
    }

    /** The launcher of this step, for a command line. */
    static String launcher() {
        return Path.of("mydocker").toAbsolutePath().toString();
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
