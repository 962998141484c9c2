package io.mydocker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The container's root file system, entered from init: the image's directory becomes "/" with
 * pivot_root(2), and the host's root is then unmounted, so that no path leads back to it.
 * chroot(2) would not do: it changes how one process resolves "/", while the host's file system
 * stays mounted and a root process can climb out (see chroot-escape.sh).
 */
final class RootFs {
    /** Where pivot_root puts the old root, inside the new one, until it is unmounted. */
    private static final String OLD_ROOT = ".pivot_root";

    private RootFs() {
    }

    // tag::pivot[]
    static void pivotRoot(Path newRoot) {
        String root = newRoot.toString();
        // pivot_root needs the new root to be a mount point: bind the directory onto itself.
        Mounts.mount(root, root, null, LibC.MS_BIND | LibC.MS_REC, null);
        // A fresh /proc shows the processes of our PID namespace only.
        Path proc = directory(newRoot, "proc");
        Mounts.mount("proc", proc.toString(), "proc", LibC.MS_NOSUID | LibC.MS_NODEV | LibC.MS_NOEXEC, null);
        Devices.mount(directory(newRoot, "dev"));
        Path oldRoot = directory(newRoot, OLD_ROOT);
        LibC.pivot_root(root, oldRoot.toString());
        LibC.chdir("/");
        // MNT_DETACH: the host's mounts are busy (our JVM runs from them); detach them now.
        Mounts.unmount("/" + OLD_ROOT, LibC.MNT_DETACH);
        LibC.rmdir("/" + OLD_ROOT);
    }
    // end::pivot[]

    /**
     * The directory at path (such as "proc" or "var/data") in the image at root, made if missing,
     * for init to mount on. The image is not to be trusted: a symbolic link on the way would lead
     * the mount to wherever it points on the host, before pivot_root, so only real directories
     * will do.
     */
    static Path directory(Path root, String path) {
        Path dir = root;
        for (String name : path.split("/")) {
            dir = dir.resolve(name);
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new MydockerException("the image's /" + root.relativize(dir) + " is not a directory,"
                        + " and mydocker mounts there; remove it from the image, or mount elsewhere");
            }
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new MydockerException("cannot create /" + root.relativize(dir) + " in the container: "
                        + e.getMessage());
            }
        }
        return dir;
    }
}
