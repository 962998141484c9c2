package io.mydocker;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The container's /dev: a small tmpfs with the device nodes that ordinary programs open, the
 * links that shells expect, a devpts of its own for terminals (Pty) and a tmpfs for POSIX shared
 * memory. The host's /dev is not visible: it holds the host's disks and terminals.
 */
final class Devices {
    /** The character devices, with their major and minor numbers from the kernel's devices.txt. */
    private static final Map<String, int[]> NODES = Map.of(
            "null", new int[] {1, 3},
            "zero", new int[] {1, 5},
            "full", new int[] {1, 7},
            "random", new int[] {1, 8},
            "urandom", new int[] {1, 9},
            "tty", new int[] {5, 0});
    private static final Map<String, String> LINKS = Map.of(
            "fd", "/proc/self/fd",
            "stdin", "/proc/self/fd/0",
            "stdout", "/proc/self/fd/1",
            "stderr", "/proc/self/fd/2",
            "ptmx", "pts/ptmx");

    private Devices() {
    }

    // tag::mount[]
    static void mount(Path dev) {
        Mounts.mount("tmpfs", dev.toString(), "tmpfs", LibC.MS_NOSUID, "mode=755,size=65536k");
        for (Map.Entry<String, int[]> node : NODES.entrySet()) {
            String path = dev.resolve(node.getKey()).toString();
            try {
                LibC.mknod(path, LibC.S_IFCHR | 0666, makedev(node.getValue()[0], node.getValue()[1]));
                LibC.chmod(path, 0666); // mknod applies the umask
            } catch (LastErrorException e) {
                throw LibC.failure("mknod(" + path + ")", e);
            }
        }
        try {
            for (Map.Entry<String, String> link : LINKS.entrySet()) {
                Files.createSymbolicLink(dev.resolve(link.getKey()), Path.of(link.getValue()));
            }
        } catch (IOException e) {
            throw new MydockerException("cannot create links in the container's /dev: " + e.getMessage());
        }
        // newinstance: the container's pseudo-terminals are its own, not the host's.
        Mounts.mount("devpts", RootFs.directory(dev, "pts").toString(), "devpts",
                LibC.MS_NOSUID | LibC.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
        Mounts.mount("shm", RootFs.directory(dev, "shm").toString(), "tmpfs",
                LibC.MS_NOSUID | LibC.MS_NODEV | LibC.MS_NOEXEC, "mode=1777,size=65536k");
    }
    // end::mount[]

    /** makedev(3): glibc's encoding of a device number, for the small numbers used here. */
    static long makedev(int major, int minor) {
        return ((long) major << 8) | minor;
    }
}
