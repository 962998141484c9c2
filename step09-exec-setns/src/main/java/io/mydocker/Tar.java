package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Unpacks an image tar (tar(5)) into a directory, and packs a container's files into one.
 * Commons Compress reads and writes the format; what a tar may write is decided here, because an
 * image can come from anywhere: no entry may land outside the directory, whether by an absolute
 * name, by "..", by a link whose target lies outside, or by writing through a symbolic link that
 * an earlier entry made; and none may fill the disk.
 */
final class Tar {
    /** The lock file of the unpacks into a directory (see extract). */
    static final String LOCK = ".lock";

    private Tar() {
    }

    /**
     * Unpacks tar into dir, unless dir exists. It unpacks into a temporary directory next to dir
     * and renames that at the end, so a refused tar leaves nothing, and no one sees half an image.
     * Unpacks take turns through a lock file next to dir, LOCK: of two mydockers that unpack at
     * once, the second waits and then uses the first's result; and a temporary directory found
     * while holding the lock is what an unpack that was killed left behind, to be deleted.
     */
    // tag::extract[]
    static void extract(Path tar, Path dir) {
        Path lockFile = dir.resolveSibling(LOCK);
        try (FileChannel lock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = lock.lock()) {
            if (!Files.isDirectory(dir)) {
                deleteTemporaries(dir);
                unpackAndRename(tar, dir);
            }
        } catch (IOException e) {
            throw new MydockerException("cannot lock " + lockFile + ": " + e.getMessage());
        }
    }

    /** Deletes the temporary directories of dir's unpacks: .NAME-RANDOM, next to dir NAME. */
    private static void deleteTemporaries(Path dir) throws IOException {
        try (Stream<Path> siblings = Files.list(dir.getParent())) {
            siblings.filter(sibling -> sibling.getFileName().toString().startsWith("." + dir.getFileName() + "-"))
                    .forEach(Tar::deleteTree);
        }
    }

    private static void unpackAndRename(Path tar, Path dir) {
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
                    + "; is it a tar, as docker export writes, and whole? If not, replace it, or delete it");
        } catch (RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteTree(tmp);
            throw new MydockerException("cannot unpack the image " + tar + " into " + dir + ": " + e.getMessage());
        }
    }

    private static void unpack(Path tar, Path dir) throws IOException {
        if (!endsInZeros(tar)) {
            throw new IOException("it lacks the two zero blocks that end every tar (tar(5)): it is cut short");
        }
        try (InputStream file = Files.newInputStream(tar);
                TarArchiveInputStream in = new TarArchiveInputStream(new BufferedInputStream(file))) {
            int entries = 0;
            // What is written into a directory changes its time: set the directories' last.
            Map<Path, FileTime> directories = new LinkedHashMap<>();
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                Path path = write(in, entry, dir);
                if (entry.isDirectory()) {
                    directories.put(path, entry.getLastModifiedTime());
                } else if (path != null) {
                    // If it replaced a directory, perhaps with a link to a host directory, the
                    // directory's time must go nowhere: least of all to the link's target.
                    directories.remove(path);
                    if (!entry.isSymbolicLink() && !entry.isLink()) {
                        setTime(path, entry.getLastModifiedTime());
                    }
                }
                entries++;
            }
            if (entries == 0) {
                throw new IOException("it holds no files");
            }
            for (Map.Entry<Path, FileTime> directory : directories.entrySet()) {
                setTime(directory.getKey(), directory.getValue());
            }
        }
    }
    // end::extract[]

    /**
     * Whether the file ends in two blocks of 512 zero bytes, as every tar does (tar(5)). A tar cut
     * short between two entries would pass for a whole, smaller one: half an image.
     */
    private static boolean endsInZeros(Path tar) throws IOException {
        try (FileChannel file = FileChannel.open(tar)) {
            ByteBuffer end = ByteBuffer.allocate(2 * 512);
            if (file.size() < end.capacity()) {
                return false;
            }
            file.position(file.size() - end.capacity());
            while (end.hasRemaining() && file.read(end) > 0) {
                // read on: a read may return less
            }
            return Arrays.equals(end.array(), new byte[end.capacity()]);
        }
    }

    /** Writes one entry under dir, and returns its path; null if it was skipped. */
    // tag::write[]
    private static Path write(InputStream in, TarArchiveEntry entry, Path dir) throws IOException {
        String what = "its entry '" + entry.getName() + "'";
        Path path = path(dir, entry.getName(), what);
        if (path.equals(dir)) {
            if (!entry.isDirectory()) {
                throw unsafe(what, "replaces the image's root directory");
            }
            // The root keeps the owner and mode it was made with: an image's "./" owned by some
            // user, or of mode 0777, would let them write into the layer its containers share.
            return path;
        }
        if (entry.isSparse()) {
            // Its size is in a header, not in the tar: a few bytes of tar can claim terabytes.
            throw new MydockerException("refusing the image: " + what + " is a sparse file, which mydocker"
                    + " does not unpack, for it could fill the disk; make the tar without tar's --sparse option");
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
                throw unsafe(what, "is a link to '" + target + "', outside the image");
            }
            Files.deleteIfExists(path);
            Files.createSymbolicLink(path, Path.of(target));
        } else if (entry.isLink()) {
            // A hard link shares its target's inode: to a host file, the container could read
            // and write that file. So the target passes the same checks as a name, and must be
            // a file: dir was empty at the start, so a file in it is one this tar wrote.
            Path target = path(dir, entry.getLinkName(),
                    "the target '" + entry.getLinkName() + "' of " + what + ", a hard link,");
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw unsafe(what, "is a hard link to '" + entry.getLinkName()
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

    /**
     * Where a name in the tar, an entry's own or a hard link's target, lands under dir. It may
     * not leave dir, by an absolute path or "..", nor pass through a symbolic link that an
     * earlier entry made: a link's target is meant for the container's root, not the host's.
     */
    private static Path path(Path dir, String name, String what) {
        if (name.startsWith("/")) {
            throw unsafe(what, "is an absolute path");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw unsafe(what, "has '..' in its path");
            }
        }
        Path path = dir.resolve(name).normalize();
        for (Path parent = path.getParent(); parent.startsWith(dir) && !parent.equals(dir);
                parent = parent.getParent()) {
            if (Files.isSymbolicLink(parent)) {
                throw unsafe(what, "passes through the symbolic link " + dir.relativize(parent));
            }
        }
        return path;
    }

    /** Sets a file's time; a symbolic link's own, never its target's. */
    private static void setTime(Path path, FileTime time) throws IOException {
        BasicFileAttributeView view = Files.getFileAttributeView(path, BasicFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setTimes(time, null, null);
    }

    private static MydockerException unsafe(String what, String why) {
        return new MydockerException("refusing an unsafe image: " + what + " " + why
                + "; unpack only images you trust");
    }

    /**
     * Packs the tree at dir into out, as `docker export` packs a container: names relative to dir,
     * owners, modes and times as they are, symbolic links as links, and a file with several names
     * once, the other names as hard links to it. The directories in skip (such as "proc") are
     * packed empty: what is in them belongs to the running container, not to its image. Device
     * nodes, FIFOs and sockets are left out, as unpacking skips them.
     * <p>
     * The container may be running, and may change its files while they are packed: swap a file,
     * or a directory on a file's path, for a symbolic link to a host file such as /etc/shadow,
     * between the moment mydocker looks at it and the moment mydocker reads it. So mydocker never
     * looks a name up twice: it opens each entry once, beneath dir and through no symbolic link,
     * and takes all it packs, type, owner, mode, time, size and bytes, from that one open file.
     */
    // tag::create[]
    static void create(Path dir, OutputStream out, Set<String> skip) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        Map<Object, String> names = new HashMap<>(); // a file's (device, inode): its first name
        int root = LibC.open(dir.toString(), LibC.O_PATH | LibC.O_CLOEXEC, 0);
        try {
            for (String name : list(root)) {
                pack(tar, root, name, !skip.contains(name), names);
            }
        } finally {
            LibC.close(root);
        }
        tar.finish();
    }

    /** Packs the entry name, a path beneath root, and if it is a directory and descend, what it holds. */
    private static void pack(TarArchiveOutputStream tar, int root, String name, boolean descend,
            Map<Object, String> names) throws IOException {
        int fd = open(root, name);
        if (fd < 0) {
            return; // gone since its directory was listed: deleted, or a directory on its path swapped
        }
        List<String> children = List.of();
        try {
            Stat stat = Stat.of(fd);
            int type = stat.mode() & 0170000;
            TarArchiveEntry entry;
            if (type == 0040000) {
                entry = new TarArchiveEntry(name + "/", TarArchiveEntry.LF_DIR);
                children = descend ? list(fd) : List.of();
            } else if (type == 0120000) {
                entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                byte[] target = new byte[4096]; // PATH_MAX: no link's target is longer
                int length = (int) LibC.readlinkat(fd, "", target, target.length);
                entry.setLinkName(Native.toString(Arrays.copyOf(target, length)));
            } else if (type != 0100000) {
                return; // a device node or a FIFO, never opened: reading one could block, or read a disk
            } else if (names.putIfAbsent(stat.inode(), name) != null) {
                entry = new TarArchiveEntry(name, TarArchiveEntry.LF_LINK);
                entry.setLinkName(names.get(stat.inode()));
            } else {
                entry = new TarArchiveEntry(name);
                entry.setSize(stat.size());
            }
            entry.setMode(stat.mode() & 07777);
            entry.setIds(stat.uid(), stat.gid());
            entry.setModTime(stat.modified());
            tar.putArchiveEntry(entry);
            if (entry.isFile() && entry.getSize() > 0) {
                // /proc/self/fd/N is a magic link to the very file fd names, not its name again.
                try (InputStream in = Files.newInputStream(Path.of("/proc/self/fd/" + fd))) {
                    copy(in, tar, entry.getSize()); // if it has shrunk, closeArchiveEntry says so
                }
            }
            tar.closeArchiveEntry();
        } finally {
            LibC.close(fd);
        }
        for (String child : children) {
            pack(tar, root, name + "/" + child, true, names);
        }
    }

    /**
     * Opens name, a path beneath root, with openat2(2): as an O_PATH fd, which reads nothing and
     * so cannot block, and through no symbolic link; a link that name ends in is opened itself.
     * Returns -1 when there is no such path any more: the container deleted it, or swapped a
     * directory on its path for a link, since mydocker listed the directory.
     */
    private static int open(int root, String name) throws IOException {
        try {
            return LibC.openat2(root, name, LibC.O_PATH | LibC.O_NOFOLLOW | LibC.O_CLOEXEC,
                    LibC.RESOLVE_BENEATH | LibC.RESOLVE_NO_SYMLINKS | LibC.RESOLVE_NO_MAGICLINKS);
        } catch (LastErrorException e) {
            int error = e.getErrorCode();
            if (error == LibC.ENOENT || error == LibC.ENOTDIR || error == LibC.ELOOP) {
                return -1;
            }
            throw new IOException("openat2 of " + name + ": " + LibC.strerror(error));
        }
    }

    /** The names in the directory fd names, sorted, so that the same files make the same tar. */
    private static List<String> list(int fd) throws IOException {
        try (Stream<Path> children = Files.list(Path.of("/proc/self/fd/" + fd))) {
            return children.map(child -> child.getFileName().toString()).sorted().toList();
        }
    }

    /** Copies size bytes, and no more if the file has grown since its size was taken. */
    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (long left = size; left > 0; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                return;
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    /** What statx(2) says of the file an fd names, a link itself included: what a tar header holds. */
    private record Stat(int mode, int uid, int gid, long size, Object inode, FileTime modified) {
        static Stat of(int fd) {
            Memory statx = new Memory(LibC.STATX_SIZE);
            LibC.statx(fd, "", LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, statx);
            // Where struct statx has them (statx(2)): uid 20, gid 24, mode 28, ino 32, size 40,
            // mtime 112 (seconds, then nanoseconds at 120), device 136 (major) and 140 (minor).
            return new Stat(statx.getShort(28) & 0xffff, statx.getInt(20), statx.getInt(24), statx.getLong(40),
                    List.of(statx.getInt(136), statx.getInt(140), statx.getLong(32)), // device, inode
                    FileTime.from(Instant.ofEpochSecond(statx.getLong(112), statx.getInt(120))));
        }
    }
    // end::create[]

    /** Deletes a directory tree; symbolic links in it are deleted, never followed. */
    // tag::delete[]
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        // A delete never goes into a mount: what is mounted there is not ours to delete.
        List<Path> mounted = Mounts.under(dir);
        if (!mounted.isEmpty()) {
            throw new MydockerException("not deleting " + dir + ", where " + mounted.get(0) + " is mounted;"
                    + " unmount it with umount, then remove " + dir);
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            System.err.println("mydocker: warning: cannot delete " + dir + ": " + e.getMessage());
        }
    }
    // end::delete[]
}
