package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a learner sees when mydocker fails: one line, and a stack trace only on request. */
class MydockerExceptionTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream stderr;

    @BeforeEach
    void captureStderr() {
        stderr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(stderr);
        System.clearProperty("mydocker.debug");
    }

    @Test
    void badInputIsOneLineWithItsExitCode() {
        assertEquals(127, MydockerException.report(new MydockerException(127, "sh: command not found")));
        assertEquals("mydocker: sh: command not found\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBugIsOneLineThatSaysHowToSeeMore() {
        assertEquals(125, MydockerException.report(new IllegalStateException("boom")));
        assertEquals("mydocker: unexpected error: java.lang.IllegalStateException: boom;"
                + " run again with MYDOCKER_DEBUG=1 to see where\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aNewlineInAMessageKeepsItOnOneLine() {
        assertEquals(125, MydockerException.report(new MydockerException("invalid name 'a\nb'")));
        assertEquals(125, MydockerException.report(new IllegalStateException("a\r\nb")));
        assertEquals("mydocker: invalid name 'a\\nb'\n"
                + "mydocker: unexpected error: java.lang.IllegalStateException: a\\r\\nb;"
                + " run again with MYDOCKER_DEBUG=1 to see where\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withDebugABugShowsWhereItHappened() {
        System.setProperty("mydocker.debug", "1");
        assertEquals(125, MydockerException.report(new IllegalStateException("boom")));
        String trace = err.toString(StandardCharsets.UTF_8);
        assertTrue(trace.startsWith("java.lang.IllegalStateException: boom\n\tat io.mydocker.MydockerExceptionTest."), trace);
    }
}
