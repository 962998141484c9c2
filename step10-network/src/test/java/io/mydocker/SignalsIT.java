package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The signals that stop `mydocker run` (Ctrl-C, kill, a closed terminal) are passed on to the
 * container, which ends in its own way; one that ignores them is killed after a grace period.
 */
class SignalsIT extends ContainerTestBase {
    @ParameterizedTest
    @CsvSource({"TERM, 143", "INT, 130", "HUP, 129"})
    void aSignalIsPassedToTheContainer(String signal, int status) throws Exception {
        Process container = mydocker.background("run", "busybox", "sh", "-c",
                "trap 'echo got " + signal + "; exit " + status + "' " + signal + "; echo ready; sleep 100 & wait");
        BufferedReader out = new BufferedReader(new InputStreamReader(container.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        signal(container, signal);
        assertEquals(status, Mydocker.waitFor(container));
        assertEquals("got " + signal, out.readLine());
    }

    @Test
    void aContainerThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        // PID 1 gets no signal it has no handler for: a bare sleep ignores SIGTERM.
        Process container = mydocker.background("run", "busybox", "sh", "-c", "echo ready; exec /bin/sleep 100");
        BufferedReader out = new BufferedReader(new InputStreamReader(container.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        long start = System.nanoTime();
        signal(container, "TERM");
        assertEquals(137, Mydocker.waitFor(container), "128 + SIGKILL");
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= StopSignals.GRACE_MILLIS, "killed after " + waited + " ms, before the grace period ended");
    }

    private static void signal(Process process, String signal) throws Exception {
        assertEquals(0, Mydocker.waitFor(new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start()));
    }
}
