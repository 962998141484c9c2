package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The pipe that carries the command from mydocker to init, both ends in this JVM. */
class InitChannelTest {
    @Test
    void theArgumentsArriveIntact() {
        int[] pipe = new int[2];
        LibC.pipe2(pipe, LibC.O_CLOEXEC);
        InitChannel.sendCommand(pipe[1], List.of("/bin/echo", "a b", "", "line\nbreak"));
        LibC.close(pipe[1]);
        assertEquals(List.of("/bin/echo", "a b", "", "line\nbreak"), InitChannel.readCommand(pipe[0]));
        LibC.close(pipe[0]);
    }

    @Test
    void initRefusesAnEmptyMessageBeforeItDoesAnything() {
        int[] pipe = new int[2];
        LibC.pipe2(pipe, LibC.O_CLOEXEC);
        LibC.close(pipe[1]);
        MydockerException e = assertThrows(MydockerException.class, () -> InitChannel.readCommand(pipe[0]));
        assertTrue(e.getMessage().startsWith("init: no command on fd"), e.getMessage());
        LibC.close(pipe[0]);
    }
}
