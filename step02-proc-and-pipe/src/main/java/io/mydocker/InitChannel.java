package io.mydocker;

import com.sun.jna.LastErrorException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The channel between mydocker and init, which init finds on fd 3, as in the book. Here it is a
 * pipe(2) from mydocker to init: mydocker writes the command, its arguments separated by NUL
 * bytes, and closes its end; init reads until end-of-file.
 */
final class InitChannel {
    static final int FD = 3;

    private InitChannel() {
    }

    /** mydocker's side. If init has died instead of reading (EPIPE), its exit status tells why. */
    // tag::parent[]
    static void sendCommand(int fd, List<String> command) {
        byte[] bytes = String.join("\0", command).getBytes(StandardCharsets.UTF_8);
        try {
            LibC.writeAll(fd, bytes, bytes.length);
        } catch (LastErrorException e) {
            // EPIPE: nobody reads any more
        }
    }
    // end::parent[]

    /**
     * init's side: the command mydocker sent. Refused before init changes anything if there is
     * none: init run by hand, or by a build that trains its class-data archive.
     */
    static List<String> readCommand(int fd) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (long n; (n = LibC.restartOnEintr(() -> LibC.read(fd, buffer, buffer.length))) > 0; ) {
            all.write(buffer, 0, (int) n);
        }
        if (all.size() == 0) {
            throw new MydockerException("init: no command on fd " + fd
                    + "; init is started by mydocker run, not by hand");
        }
        return Arrays.asList(all.toString(StandardCharsets.UTF_8).split("\0", -1));
    }
}
