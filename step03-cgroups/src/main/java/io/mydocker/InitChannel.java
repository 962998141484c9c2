package io.mydocker;

import com.sun.jna.LastErrorException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The channel between mydocker and init, which init finds on fd 3 as in the book. It is a
 * socket pair, so it works both ways: mydocker sends the command (its length, then the
 * arguments separated by NUL bytes); init prepares the container and answers "ready"; mydocker
 * puts init into the container's cgroup and answers "go", init's cue to exec the command. That way
 * the init JVM's own memory is never charged to the container. A channel that ends without "go"
 * means that mydocker was killed: init then ends, rather than start a container that no one
 * watches.
 */
final class InitChannel {
    static final int FD = 3;
    private static final byte READY = 'r';
    private static final byte GO = 'g';
    /** More than any command line: the kernel takes at most a few MB of arguments (execve(2)). */
    private static final int MAX_LENGTH = 16 << 20;

    private InitChannel() {
    }

    /**
     * mydocker's side: send the command, then wait until init is ready. False if init has died
     * instead (the channel ends, or fails with EPIPE or ECONNRESET): its exit status tells why.
     */
    // tag::parent[]
    static boolean sendCommandAndAwaitReady(int fd, List<String> command) {
        byte[] bytes = String.join("\0", command).getBytes(StandardCharsets.UTF_8);
        try {
            writeAll(fd, ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
            writeAll(fd, bytes);
            return read(fd, new byte[1]) == 1;
        } catch (LastErrorException e) {
            return false;
        }
    }
    // end::parent[]

    /**
     * init's side: the command mydocker sent. Refused before init changes anything if there is
     * none: init run by hand, or by a build that trains its class-data archive.
     */
    static List<String> readCommand(int fd) {
        byte[] header = readExactly(fd, Integer.BYTES);
        int length = header == null ? 0 : ByteBuffer.wrap(header).getInt();
        byte[] bytes = length > 0 && length <= MAX_LENGTH ? readExactly(fd, length) : null;
        if (bytes == null) {
            throw new MydockerException("init: no command on fd " + fd
                    + "; init is started by mydocker run, not by hand");
        }
        return Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\0", -1));
    }

    /** init's side: tell mydocker we are ready, then wait for its "go". */
    // tag::ready[]
    static void signalReadyAndAwaitGo(int fd) {
        writeAll(fd, new byte[] {READY});
        awaitGo(fd);
    }
    // end::ready[]

    /**
     * mydocker's side, once it has done all it does before the command runs: init may exec it.
     * If init has died meanwhile (EPIPE), its exit status tells why.
     */
    // tag::go[]
    static void go(int fd) {
        try {
            writeAll(fd, new byte[] {GO});
        } catch (LastErrorException e) {
            // init is gone
        }
    }

    /**
     * Only "go" starts the command. The channel ends without it (or is reset, with "ready"
     * unread) when mydocker was killed (SIGKILL) before it was done: it may not have recorded
     * the container, nor put init into its cgroup.
     */
    private static void awaitGo(int fd) {
        byte[] go = new byte[1];
        boolean given;
        try {
            given = read(fd, go) == 1 && go[0] == GO;
        } catch (LastErrorException e) {
            given = false;
        }
        if (!given) {
            throw new MydockerException("init: mydocker ended before the container could start;"
                    + " its command does not run");
        }
    }
    // end::go[]

    private static void writeAll(int fd, byte[] bytes) {
        LibC.writeAll(fd, bytes, bytes.length);
    }

    /** Exactly length bytes, or null if the channel ends before. */
    private static byte[] readExactly(int fd, int length) {
        byte[] all = new byte[length];
        for (int done = 0; done < length; ) {
            byte[] chunk = new byte[length - done];
            long n = read(fd, chunk);
            if (n <= 0) {
                return null;
            }
            System.arraycopy(chunk, 0, all, done, (int) n);
            done += (int) n;
        }
        return all;
    }

    // A plain read(2): FileInputStream on an inherited fd fails on JDK 17 with "Illegal seek".
    private static long read(int fd, byte[] buffer) {
        return LibC.restartOnEintr(() -> LibC.read(fd, buffer, buffer.length));
    }
}
