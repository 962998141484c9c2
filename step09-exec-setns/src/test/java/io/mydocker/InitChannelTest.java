package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handshake between mydocker and init, both ends in this JVM: init may exec the command
 * only once mydocker has put it into the cgroup and said "go"; never if mydocker ends first.
 */
class InitChannelTest {
    private final int[] channel = new int[2];
    private int parent;
    private int init;

    @BeforeEach
    void connect() {
        LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, channel);
        parent = channel[0];
        init = channel[1];
    }

    @AfterEach
    void disconnect() {
        for (int fd : new int[] {parent, init}) {
            if (fd >= 0) {
                LibC.close(fd);
            }
        }
    }

    @Test
    void initWaitsForMydockersGo() throws Exception {
        AtomicReference<List<String>> received = new AtomicReference<>();
        AtomicBoolean gone = new AtomicBoolean();
        Thread initSide = new Thread(() -> {
            received.set(InitChannel.readCommand(init));
            InitChannel.signalReadyAndAwaitGo(init, InitChannel.NO_TERMINAL);
            gone.set(true);
        });
        initSide.start();
        assertTrue(InitChannel.sendCommandAndAwaitReady(parent, List.of("/bin/echo", "a b", ""), fd -> { }), "init says ready");
        assertEquals(List.of("/bin/echo", "a b", ""), received.get());
        // Here mydocker puts init into the cgroup: however long that takes, init must not go on.
        initSide.join(500);
        assertTrue(initSide.isAlive(), "init went on before mydocker's go");
        InitChannel.go(parent);
        initSide.join(5000);
        assertTrue(gone.get(), "init did not go on at mydocker's go");
    }

    @Test
    void initEndsIfMydockerEndsBeforeItsGo() throws Exception {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread initSide = new Thread(() -> {
            InitChannel.readCommand(init);
            try {
                InitChannel.signalReadyAndAwaitGo(init, InitChannel.NO_TERMINAL);
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        initSide.start();
        assertTrue(InitChannel.sendCommandAndAwaitReady(parent, List.of("/bin/echo", "a b", ""), fd -> { }));
        LibC.close(parent); // as when mydocker is killed: the kernel closes its end
        parent = -1;
        initSide.join(5000);
        assertTrue(failure.get() instanceof MydockerException, "init must not start the command: " + failure.get());
        assertTrue(failure.get().getMessage().contains("mydocker ended before the container could start"),
                failure.get().getMessage());
    }

    @Test
    void mydockerLearnsThatInitEndedBeforeItWasReady() throws Exception {
        Thread initSide = new Thread(() -> {
            InitChannel.readCommand(init);
            LibC.close(init); // as when init fails: the kernel closes its end
            init = -1;
        });
        initSide.start();
        assertFalse(InitChannel.sendCommandAndAwaitReady(parent, List.of("/bin/true"), fd -> { }));
        initSide.join(5000);
    }

    @Test
    void readyCanBringAnOpenFdAlong() throws Exception {
        // As init hands over the master of the container's terminal: here the writing end of a pipe.
        int[] pipe = new int[2];
        LibC.pipe2(pipe, LibC.O_CLOEXEC);
        Thread initSide = new Thread(() -> {
            InitChannel.readCommand(init);
            InitChannel.signalReadyAndAwaitGo(init, pipe[1]);
        });
        initSide.start();
        int[] received = {-1};
        assertTrue(InitChannel.sendCommandAndAwaitReady(parent, List.of("sh"), fd -> received[0] = fd));
        InitChannel.go(parent);
        LibC.close(parent);
        parent = -1;
        initSide.join(5000);
        LibC.close(pipe[1]);
        assertNotEquals(pipe[1], received[0], "a new fd of mydocker's own");
        byte[] hello = "through the passed fd".getBytes(StandardCharsets.UTF_8);
        LibC.writeAll(received[0], hello, hello.length);
        LibC.close(received[0]);
        byte[] buffer = new byte[100];
        long n = LibC.read(pipe[0], buffer, buffer.length);
        LibC.close(pipe[0]);
        assertEquals("through the passed fd", new String(buffer, 0, (int) n, StandardCharsets.UTF_8));
    }

    @Test
    void initRefusesAnEmptyOrCutMessageBeforeItDoesAnything() {
        LibC.writeAll(parent, new byte[] {0, 0, 0, 9, 'e', 'c', 'h', 'o'}, 8); // 9 bytes announced, 4 sent
        LibC.close(parent);
        parent = -1;
        MydockerException e = assertThrows(MydockerException.class, () -> InitChannel.readCommand(init));
        assertTrue(e.getMessage().startsWith("init: no command on fd"), e.getMessage());
    }
}
