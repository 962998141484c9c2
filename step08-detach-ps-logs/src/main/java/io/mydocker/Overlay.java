package io.mydocker;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A container's root file system as layers, with overlayfs: the image, unpacked once, is the
 * read-only lower layer that every container of the image shares; each container writes into
 * an upper layer of its own, and sees the two merged. The book uses aufs, which never entered
 * the mainline kernel; overlayfs, in Linux since 3.18, does the same job, and docker uses it
 * today. See the kernel's Documentation/filesystems/overlayfs.rst.
 *
 * <p>The layers live in the container's directory: upper (what the container changed), work
 * (overlayfs's scratch space, on the same file system as upper) and merged (the mount point).
 */
final class Overlay {
    /** The file systems the kernel knows; a test points this at a fake file. */
    static final Path FILESYSTEMS = Path.of("/proc/filesystems");

    final Path merged;

    private Overlay(Path dir) {
        this.merged = dir.resolve("merged");
    }

    /** Fails unless the kernel has overlayfs, before mydocker creates anything. */
    static void requireSupport(Path filesystems) {
        try {
            if (Files.readAllLines(filesystems).stream().anyMatch(line -> line.endsWith("\toverlay"))) {
                return;
            }
        } catch (IOException e) {
            // As if it were missing.
        }
        throw new MydockerException("the kernel has no overlay file system, which gives each container"
                + " its own copy-on-write root; load it with modprobe overlay");
    }

    /** Makes dir/upper, dir/work and dir/merged, and mounts the merged view of lower and upper. */
    // tag::mount[]
    static Overlay mount(Path lower, Path dir) {
        Overlay overlay = new Overlay(dir);
        try {
            Path upper = Files.createDirectories(dir.resolve("upper"));
            Path work = Files.createDirectories(dir.resolve("work"));
            Files.createDirectories(overlay.merged);
            LibC.mount("overlay", overlay.merged.toString(), "overlay", 0, options(lower, upper, work));
        } catch (IOException | LastErrorException e) {
            throw new MydockerException("cannot mount the container's overlay file system in " + dir + ": "
                    + e.getMessage() + "; overlayfs needs the state root on a file system such as ext4, xfs or tmpfs");
        }
        return overlay;
    }
    // end::mount[]

    /**
     * The mount options. overlayfs splits them at commas and lowerdir at colons, and a
     * backslash escapes either, so a path may hold them.
     */
    static String options(Path lower, Path upper, Path work) {
        return "lowerdir=" + escape(lower) + ",upperdir=" + escape(upper) + ",workdir=" + escape(work);
    }

    private static String escape(Path path) {
        return path.toString().replace("\\", "\\\\").replace(",", "\\,").replace(":", "\\:");
    }

    /**
     * Unmounts the container's merged view, if it is mounted. Its layers stay: commit and logs
     * still work on a container that has ended, until rm deletes them. If the unmount fails, a
     * process of the host uses the container's files, and nothing may be deleted under it.
     */
    // tag::unmount[]
    static void unmount(Path dir) {
        Path merged = dir.resolve("merged");
        if (!Mounts.under(merged).contains(merged)) {
            return;
        }
        try {
            LibC.umount2(merged.toString(), 0);
        } catch (LastErrorException e) {
            if (!Mounts.under(merged).contains(merged)) {
                return; // the monitor and rm both release a container that ends as rm -f kills it
            }
            throw new MydockerException("cannot unmount " + merged + ": " + LibC.strerror(e.getErrorCode())
                    + "; a process of the host uses the container's files: end it, then unmount " + merged);
        }
    }
    // end::unmount[]
}
