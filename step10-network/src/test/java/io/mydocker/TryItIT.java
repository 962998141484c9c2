package io.mydocker;

import static java.util.stream.Collectors.joining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Types the book's "try it" transcripts and checks that the learner sees what the book shows.
 * The book includes the same files verbatim, so the two cannot drift apart. A transcript is:
 * <ul>
 * <li>{@code $ mydocker ARGS}: mydocker, run through this step's launcher with a private --root.
 * With -t it runs in a terminal (see Terminal), and the lines after it are the terminal's
 * screen: what the container prints, and the prompts with what the learner types at them;
 * <li>{@code $ OTHER}: any other command on the host, run by sh(1), where $? is the status of
 * the command before it, and `mydocker` is this step's launcher (as the book's alias makes it),
 * with the same --root; so is a mydocker line that needs a shell ($(...), &, |);
 * <li>{@code # LINE} or {@code / # LINE}: typed into the container's shell, that is, the standard
 * input of the mydocker command above, after the prompt ({@code # } or {@code / # }) appears;
 * <li>anything else: output the command above prints, on stdout or stderr, exactly. An ellipsis
 * (…) in a line stands for any text; a line that is only an ellipsis, for any lines.
 * </ul>
 * Each transcript runs in a network namespace of its own (see NetNs): one that creates networks
 * leaves the host's devices and iptables rules alone, which the test checks.
 */
class TryItIT extends ContainerTestBase {
    static final Path TRANSCRIPTS = Path.of("src/test/resources/try-it");
    private static final String ANY = "…";

    /**
     * One command typed on the host, what the learner types into it, what it prints, and, for a
     * terminal, all of those lines in the order the screen shows them.
     */
    record Step(String command, List<String> input, List<String> output, List<String> screen) {
        /**
         * mydocker alone, run here with what the learner types as its input; a line with shell
         * syntax, such as $(...) or &, goes to sh, where mydocker is on the PATH too.
         */
        boolean byItself() {
            if (!command.startsWith("mydocker ")) {
                return false;
            }
            try {
                words(command);
                return true;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        /** mydocker with -t runs in a terminal. */
        boolean inTerminal() {
            if (!byItself()) {
                return false;
            }
            List<String> words = words(command);
            return words.contains("-t") || words.contains("-ti") || words.contains("-it") || words.contains("--tty");
        }
    }

    static Stream<Path> transcripts() throws IOException {
        try (Stream<Path> files = Files.list(TRANSCRIPTS)) {
            List<Path> all = files.filter(f -> f.toString().endsWith(".txt")).sorted().toList();
            assertFalse(all.isEmpty(), "no transcript in " + TRANSCRIPTS);
            return all.stream();
        }
    }

    /** The transcript's network namespace. */
    private NetNs netns;

    @ParameterizedTest(name = "{0}")
    @MethodSource("transcripts")
    void theTranscriptIsWhatALearnerSees(Path transcript) throws Exception {
        // On the host too, `mydocker` is this step's launcher, as the book's alias makes it.
        Path bin = Files.createTempDirectory("try-it");
        Files.createSymbolicLink(bin.resolve("mydocker"), Path.of(Terminal.launcher()));
        String realHost = NetNs.host();
        netns = NetNs.create(bin.resolve("netns"));
        mydocker = new Mydocker(root, netns.nsenter());
        try {
            type(transcript, bin);
        } finally {
            try {
                // What a transcript that failed half-way left: its containers' veths and rules
                // are in the namespace.
                mydocker.removeAll();
            } finally {
                mydocker = new Mydocker(root);
                netns.close();
                Files.delete(bin.resolve("netns"));
                Files.delete(bin.resolve("mydocker"));
                Files.delete(bin);
            }
        }
        assertEquals(realHost, NetNs.host(), transcript.getFileName() + " changed the host's own devices or iptables rules");
    }

    private void type(Path transcript, Path bin) throws Exception {
        int status = 0;
        for (Step step : parse(Files.readAllLines(transcript))) {
            Mydocker.Result result;
            List<String> expected = step.output();
            if (step.inTerminal()) {
                result = inTerminal(step);
                expected = step.screen();
            } else if (step.byItself()) {
                result = mydocker.runWithInput(step.input().stream().map(line -> typed(line) + "\n").collect(joining()),
                        words(step.command().substring("mydocker ".length())).toArray(new String[0]));
            } else {
                result = host("(exit " + status + "); " + step.command(), bin);
            }
            if (!matches(expected, result.out().lines().toList(), result.err().lines().toList())) {
                fail(transcript.getFileName() + ": `" + step.command() + "` with input " + step.input()
                        + "\n--- the book shows\n" + String.join("\n", expected) + "\n--- but it printed: "
                        + result);
            }
            status = result.exitCode();
        }
    }

    /** Runs mydocker in a terminal, typing each input line at its prompt; the screen is its stdout. */
    private Mydocker.Result inTerminal(Step step) throws Exception {
        List<String> command = new ArrayList<>(netns.nsenter());
        command.addAll(List.of(Terminal.launcher(), "--root", root.toString()));
        command.addAll(words(step.command()).subList(1, words(step.command()).size()));
        try (Terminal terminal = new Terminal(command, 24, 80)) {
            for (String line : step.input()) {
                terminal.awaitPrompt(line.substring(0, line.length() - typed(line).length()));
                terminal.type(typed(line));
            }
            int status = terminal.waitFor();
            return new Mydocker.Result(status, terminal.screen(), "");
        }
    }

    static List<Step> parse(List<String> lines) {
        List<Step> steps = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("$ ")) {
                steps.add(new Step(line.substring(2), new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
                continue;
            }
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("a transcript starts with a host command ($ ...), not: " + line);
            }
            Step step = steps.get(steps.size() - 1);
            step.screen().add(line);
            if (line.startsWith("# ") || line.startsWith("/ # ")) {
                step.input().add(line);
            } else {
                step.output().add(line);
            }
        }
        for (Step step : steps) {
            for (List<String> shown : List.of(step.output(), step.screen())) {
                while (!shown.isEmpty() && shown.get(shown.size() - 1).isEmpty()) {
                    shown.remove(shown.size() - 1); // blank lines between commands
                }
            }
        }
        return steps;
    }

    /** What the learner types on an input line: what follows the prompt. */
    private static String typed(String inputLine) {
        return inputLine.substring(inputLine.indexOf("# ") + 2);
    }

    /**
     * Whether the expected lines are the lines of out and err interleaved (a terminal shows both),
     * each in its own order, with ellipses matching anything.
     */
    static boolean matches(List<String> expected, List<String> out, List<String> err) {
        Boolean[][][] memo = new Boolean[expected.size() + 1][out.size() + 1][err.size() + 1];
        return matches(expected, 0, out, 0, err, 0, memo);
    }

    private static boolean matches(List<String> expected, int e, List<String> out, int o, List<String> err, int r,
            Boolean[][][] memo) {
        if (memo[e][o][r] != null) {
            return memo[e][o][r];
        }
        boolean result;
        if (e == expected.size()) {
            result = o == out.size() && r == err.size();
        } else if (expected.get(e).equals(ANY)) {
            result = matches(expected, e + 1, out, o, err, r, memo)
                    || o < out.size() && matches(expected, e, out, o + 1, err, r, memo)
                    || r < err.size() && matches(expected, e, out, o, err, r + 1, memo);
        } else {
            Pattern line = pattern(expected.get(e));
            result = o < out.size() && line.matcher(out.get(o)).matches()
                    && matches(expected, e + 1, out, o + 1, err, r, memo)
                    || r < err.size() && line.matcher(err.get(r)).matches()
                    && matches(expected, e + 1, out, o, err, r + 1, memo);
        }
        memo[e][o][r] = result;
        return result;
    }

    private static Pattern pattern(String expected) {
        List<String> literals = new ArrayList<>();
        for (String literal : expected.split(ANY, -1)) {
            literals.add(Pattern.quote(literal));
        }
        return Pattern.compile(String.join(".*", literals));
    }

    /**
     * Splits a mydocker command line into its words as sh(1) would, for the quoting the book
     * uses: 'single', "double" and backslashes. Anything that needs a real shell is refused.
     */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (c == '\'' || c == '"') {
                int end = line.indexOf(c, i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed quote in: " + line);
                }
                String quoted = line.substring(i + 1, end);
                if (c == '"' && quoted.matches(".*[$`\\\\].*")) {
                    throw new IllegalArgumentException("use single quotes for $, ` and \\ in: " + line);
                }
                word.append(quoted);
                i = end;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
            } else if ("|&;<>()$`*?[~".indexOf(c) >= 0) {
                throw new IllegalArgumentException("quote '" + c + "': mydocker lines run without a shell: " + line);
            } else {
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /** A command typed at the host's shell prompt, where bin holds `mydocker`. */
    private Mydocker.Result host(String command, Path bin) throws IOException {
        Path out = Files.createTempFile("try-it", ".out");
        Path err = Files.createTempFile("try-it", ".err");
        try {
            Process process = startHost(command, bin, out, err);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(command + " did not end within 60 s");
            }
            return new Mydocker.Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /** Starts a host command, with stdout and stderr to files, in the transcript's network namespace. */
    private Process startHost(String command, Path bin, Path out, Path err) throws IOException {
        List<String> sh = new ArrayList<>(netns.nsenter());
        sh.addAll(List.of("sh", "-c", command));
        ProcessBuilder builder = new ProcessBuilder(sh)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("MYDOCKER_ROOT", root.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder.start();
    }
}
