package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The channel between mydocker and init, which init finds on fd 3 as in the book. It is a
 * socket pair, so it works both ways: mydocker sends the command (its length, then the
 * arguments separated by NUL bytes); init prepares the container and answers "ready"; mydocker
 * puts init into the container's cgroup and answers "go", init's cue to exec the command. That way
 * the init JVM's own memory is never charged to the container. A channel that ends without "go"
 * means that mydocker was killed: init then ends, rather than start a container that no one
 * watches. With -t, the "ready" carries the master of the container's terminal: a unix socket can
 * pass an open fd from one process to another (SCM_RIGHTS in unix(7)), as runc's console socket
 * does.
 */
final class InitChannel {
    static final int FD = 3;
    private static final byte READY = 'r';
    private static final byte GO = 'g';
    /** More than any command line: the kernel takes at most a few MB of arguments (execve(2)). */
    private static final int MAX_LENGTH = 16 << 20;
    /** Passed to signalReadyAndAwaitGo without -t. */
    static final int NO_TERMINAL = -1;

    // An fd travels as a control message of level SOL_SOCKET and type SCM_RIGHTS (unix(7)).
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    // Where message() puts the parts of a message: struct msghdr with msg_iov, msg_iovlen,
    // msg_control and msg_controllen, then the iovec, the byte of data, the control message.
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int CONTROL_LENGTH = 40;
    private static final int IOVEC = 56;
    private static final int DATA = 72;
    private static final int CONTROL = 80;
    /** CMSG_LEN(sizeof(int)) and CMSG_SPACE(sizeof(int)), and where the fd is in the cmsghdr. */
    private static final int CMSG_LENGTH = 20;
    private static final int CMSG_SPACE = 24;
    private static final int CMSG_DATA = 16;
    private static final int SIZE = CONTROL + CMSG_SPACE;

    private InitChannel() {
    }

    /**
     * mydocker's side: send the command, then wait until init is ready, and give terminal the fd
     * that comes with "ready", if any. False if init has died instead (the channel ends, or fails
     * with EPIPE or ECONNRESET): its exit status tells why.
     */
    // tag::parent[]
    static boolean sendCommandAndAwaitReady(int fd, List<String> command, IntConsumer terminal) {
        byte[] bytes = String.join("\0", command).getBytes(StandardCharsets.UTF_8);
        try {
            writeAll(fd, ByteBuffer.allocate(Integer.BYTES).putInt(bytes.length).array());
            writeAll(fd, bytes);
            Memory ready = message();
            if (LibC.restartOnEintr(() -> LibC.recvmsg(fd, ready, LibC.MSG_CMSG_CLOEXEC)) != 1) {
                return false;
            }
            if (ready.getLong(CONTROL_LENGTH) > 0) {
                terminal.accept(ready.getInt(CONTROL + CMSG_DATA));
            }
            return true;
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

    /**
     * init's side: tell mydocker we are ready, passing it the fd terminal along (or NO_TERMINAL),
     * then wait for its "go".
     */
    // tag::ready[]
    static void signalReadyAndAwaitGo(int fd, int terminal) {
        Memory ready = message();
        ready.setByte(DATA, READY);
        if (terminal == NO_TERMINAL) {
            ready.setPointer(MSG_CONTROL, null);
            ready.setLong(CONTROL_LENGTH, 0);
        } else {
            ready.setLong(CONTROL, CMSG_LENGTH); // struct cmsghdr: cmsg_len, cmsg_level, cmsg_type, the fd
            ready.setInt(CONTROL + 8, SOL_SOCKET);
            ready.setInt(CONTROL + 12, SCM_RIGHTS);
            ready.setInt(CONTROL + CMSG_DATA, terminal);
        }
        LibC.restartOnEintr(() -> LibC.sendmsg(fd, ready, 0));
        awaitGo(fd);
    }
    // end::ready[]

    /**
     * A struct msghdr for sendmsg(2) and recvmsg(2), in one block of memory with what it points
     * to: one iovec for one byte of data, and room for one cmsghdr with one fd (cmsg(3)). The
     * offsets are those of 64-bit Linux (x86_64 and aarch64).
     */
    private static Memory message() {
        Memory message = new Memory(SIZE);
        message.clear();
        message.setPointer(MSG_IOV, message.share(IOVEC));
        message.setLong(MSG_IOVLEN, 1);
        message.setPointer(IOVEC, message.share(DATA)); // iov_base
        message.setLong(IOVEC + 8, 1); // iov_len
        message.setPointer(MSG_CONTROL, message.share(CONTROL));
        message.setLong(CONTROL_LENGTH, CMSG_SPACE);
        return message;
    }

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
