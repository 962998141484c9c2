package io.mydocker;

import com.sun.jna.LastErrorException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The pipe(2) that carries the command from mydocker to init, which finds its reading end on
 * fd 3, as in the book. The arguments are separated by NUL bytes, and the command ends where the
 * pipe does: when mydocker closes its end, init reads end-of-file.
 */
final class InitPipe {
    static final int FD = 3;

    private InitPipe() {
    }

    /** mydocker's side. */
    // tag::parent[]
    static void sendCommand(int fd, List<String> command) {
        writeAll(fd, String.join("\0", command).getBytes(StandardCharsets.UTF_8));
    }
    // end::parent[]

    /** init's side: the command mydocker sent. */
    static List<String> readCommand(int fd) {
        return Arrays.asList(new String(readAll(fd), StandardCharsets.UTF_8).split("\0", -1));
    }

    private static void writeAll(int fd, byte[] bytes) {
        for (int done = 0; done < bytes.length; ) {
            done += (int) LibC.write(fd, Arrays.copyOfRange(bytes, done, bytes.length), bytes.length - done);
        }
    }

    private static byte[] readAll(int fd) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (long n; (n = read(fd, buffer)) > 0; ) {
            all.write(buffer, 0, (int) n);
        }
        return all.toByteArray();
    }

    // A plain read(2): FileInputStream on an inherited fd fails on JDK 17 with "Illegal seek".
    private static long read(int fd, byte[] buffer) {
        while (true) {
            try {
                return LibC.read(fd, buffer, buffer.length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    throw e;
                }
            }
        }
    }
}
