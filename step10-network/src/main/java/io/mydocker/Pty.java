package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A pseudo-terminal (pty(7)): a pair of connected devices. The slave behaves like a real
 * terminal, with line editing, echo, Ctrl-C and a window size; whatever a program writes to it
 * comes out of the master, and whatever is written to the master is what the program reads, as
 * if typed. With -t, the container gets a slave as its terminal and mydocker holds the master,
 * as `docker run -t` and ssh do.
 */
final class Pty {
    final int master;
    final int slave;

    private Pty(int master, int slave) {
        this.master = master;
        this.slave = slave;
    }

    // tag::open[]
    static Pty open() {
        try {
            int master = LibC.posix_openpt(LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC);
            LibC.grantpt(master);
            LibC.unlockpt(master);
            // O_NOCTTY: opening a terminal must not make it our own controlling terminal.
            int slave = LibC.open(LibC.ptsname(master), LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC, 0);
            return new Pty(master, slave);
        } catch (LastErrorException e) {
            throw LibC.failure("-t: cannot open a pseudo-terminal", e);
        }
    }
    // end::open[]

    /**
     * init's side, after pivot_root, with -t: a pseudo-terminal from the container's own
     * /dev/pts becomes the container's stdin, stdout, stderr, controlling terminal and
     * /dev/console, as runc makes it. A terminal of the host's devpts would not do: the
     * container's programs look their terminal up in their own /dev/pts, and would not find it.
     * Returns the master, for mydocker to hold.
     */
    // tag::container[]
    static int openInContainer() {
        Pty pty = open();
        for (int fd = 0; fd <= 2; fd++) {
            LibC.dup2(pty.slave, fd);
        }
        LibC.close(pty.slave);
        control(0);
        try {
            Files.createFile(Path.of("/dev/console")); // the mount point, in our tmpfs /dev
        } catch (IOException e) {
            throw new MydockerException("cannot create /dev/console: " + e.getMessage());
        }
        Mounts.mount(LibC.ptsname(pty.master), "/dev/console", null, LibC.MS_BIND, null);
        return pty.master;
    }
    // end::container[]

    /**
     * init's side: makes the terminal on fd the controlling terminal of init's session, which is
     * new (see PosixSpawn) and so has none. Then Ctrl-C typed in it interrupts the container's
     * foreground program, and a shell can run jobs in it.
     */
    static void control(int fd) {
        try {
            LibC.ioctl(fd, LibC.TIOCSCTTY, Pointer.NULL);
        } catch (LastErrorException e) {
            throw LibC.failure("ioctl(" + fd + ", TIOCSCTTY)", e);
        }
    }

    /** Gives the terminal to the size of the terminal from, which is the user's and may be resized. */
    static void copySize(int from, int to) {
        Memory size = new Memory(LibC.WINSIZE_SIZE);
        try {
            LibC.ioctl(from, LibC.TIOCGWINSZ, size);
            LibC.ioctl(to, LibC.TIOCSWINSZ, size);
        } catch (LastErrorException e) {
            // The user's terminal is gone, or has no size: the container keeps the size it had.
        }
    }
}
