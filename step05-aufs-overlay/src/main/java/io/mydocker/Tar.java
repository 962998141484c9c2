package io.mydocker;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks an image tar (tar(5)) into a directory. Commons Compress reads the format; what a tar
 * may write is decided here, because an image can come from anywhere: no entry may land outside
 * the directory, whether by an absolute name, by "..", by a link whose target lies outside, or
 * by writing through a symbolic link that an earlier entry made.
 */
final class Tar {
    private Tar() {
    }

    /**
     * Unpacks tar into dir, which must not exist yet. It unpacks into a temporary directory next
     * to dir and renames that at the end, so a refused tar leaves nothing, and of two mydockers
     * that unpack at once, one wins and the other uses its result.
     */
    // tag::extract[]
    static void extract(Path tar, Path dir) {
        Path tmp;
        try {
            tmp = Files.createTempDirectory(dir.getParent(), "." + dir.getFileName() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (IOException e) {
            throw new MydockerException("cannot unpack the image " + tar + ": " + e.getMessage());
        }
        try {
            unpack(tar, tmp);
        } catch (IOException e) {
            deleteTree(tmp);
            throw new MydockerException("cannot unpack the image " + tar + ": " + e.getMessage()
                    + "; is it a tar, as docker export writes?");
        } catch (RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteTree(tmp);
            if (!Files.isDirectory(dir)) {
                throw new MydockerException("cannot unpack the image " + tar + " into " + dir + ": " + e.getMessage());
            }
            // else another mydocker unpacked the same image at the same time: use its result
        }
    }

    private static void unpack(Path tar, Path dir) throws IOException {
        try (InputStream file = Files.newInputStream(tar);
                TarArchiveInputStream in = new TarArchiveInputStream(new BufferedInputStream(file))) {
            int entries = 0;
            // What is written into a directory changes its time: set the directories' last.
            Map<Path, FileTime> directories = new LinkedHashMap<>();
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                Path path = write(in, entry, dir);
                if (entry.isDirectory()) {
                    directories.put(path, entry.getLastModifiedTime());
                } else if (path != null && !entry.isSymbolicLink() && !entry.isLink()) {
                    Files.setLastModifiedTime(path, entry.getLastModifiedTime());
                }
                entries++;
            }
            if (entries == 0) {
                throw new IOException("it holds no files");
            }
            for (Map.Entry<Path, FileTime> directory : directories.entrySet()) {
                Files.setLastModifiedTime(directory.getKey(), directory.getValue());
            }
        }
    }
    // end::extract[]

    /** Writes one entry under dir, and returns its path; null if it was skipped. */
    // tag::write[]
    private static Path write(InputStream in, TarArchiveEntry entry, Path dir) throws IOException {
        Path path = path(dir, entry.getName(), entry.getName());
        if (path.equals(dir) && !entry.isDirectory()) {
            throw unsafe(entry.getName(), "replaces the image's root directory");
        }
        for (Path parent = path.getParent(); parent.startsWith(dir) && !parent.equals(dir); parent = parent.getParent()) {
            if (Files.isSymbolicLink(parent)) {
                throw unsafe(entry.getName(), "would be written through the symbolic link " + dir.relativize(parent));
            }
        }
        Files.createDirectories(path.getParent());
        if (entry.isDirectory()) {
            if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                Files.deleteIfExists(path);
                Files.createDirectory(path);
            }
        } else if (entry.isSymbolicLink()) {
            String target = entry.getLinkName();
            // An absolute target is resolved in the container's root, so it cannot leave it. A
            // relative one must stay inside too; mydocker itself never follows either.
            if (!target.startsWith("/") && !path.getParent().resolve(target).normalize().startsWith(dir)) {
                throw unsafe(entry.getName(), "is a link to '" + target + "', outside the image");
            }
            Files.deleteIfExists(path);
            Files.createSymbolicLink(path, Path.of(target));
        } else if (entry.isLink()) {
            Path target = path(dir, entry.getLinkName(), entry.getName());
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw unsafe(entry.getName(), "is a hard link to '" + entry.getLinkName()
                        + "', which is not a file of the image");
            }
            Files.deleteIfExists(path);
            Files.createLink(path, target);
            return path; // the owner, mode and time are the target's, which it shares
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            return null; // the container gets a /dev of its own
        } else {
            Files.deleteIfExists(path);
            Files.copy(in, path);
        }
        LibC.lchown(path.toString(), (int) entry.getLongUserId(), (int) entry.getLongGroupId());
        if (!entry.isSymbolicLink()) {
            LibC.chmod(path.toString(), entry.getMode() & 07777); // after chown, which clears setuid
        }
        return path;
    }
    // end::write[]

    /** Where an entry's name, or a hard link's target, lands under dir: never outside it. */
    static Path path(Path dir, String name, String entry) {
        if (name.startsWith("/")) {
            throw unsafe(entry, "has an absolute path");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw unsafe(entry, "has '..' in its path");
            }
        }
        return dir.resolve(name).normalize();
    }

    private static MydockerException unsafe(String entry, String why) {
        return new MydockerException("refusing an unsafe image: its entry '" + entry + "' " + why
                + "; unpack only images you trust");
    }

    /** Deletes a directory tree; symbolic links in it are deleted, never followed. */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            System.err.println("mydocker: warning: cannot delete " + dir + ": " + e.getMessage());
        }
    }
}
