package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacking image tars: what docker export writes comes out whole, and a hostile tar, built
 * here entry by entry, writes nothing at all, inside the image's directory or outside it.
 * Packing a container's files: links are packed as links, never followed, even when the
 * container swaps its files for them while they are packed.
 */
class TarTest {
    @TempDir
    Path tmp;

    /** One tar entry: a file with text, a directory (name ends in "/"), or a link. */
    record Entry(String name, byte type, String content) {
        static Entry file(String name, String text) {
            return new Entry(name, TarArchiveEntry.LF_NORMAL, text);
        }

        static Entry dir(String name) {
            return new Entry(name, TarArchiveEntry.LF_DIR, null);
        }

        static Entry symlink(String name, String target) {
            return new Entry(name, TarArchiveEntry.LF_SYMLINK, target);
        }

        static Entry hardlink(String name, String target) {
            return new Entry(name, TarArchiveEntry.LF_LINK, target);
        }

        /** Extended headers, "key=value" each, for the entry that follows (pax(5)). */
        static Entry paxHeaders(String... headers) {
            StringBuilder records = new StringBuilder();
            for (String header : headers) {
                // A record is "LENGTH key=value\n", its length counting its own digits.
                int length = header.length() + 3;
                while (length != Integer.toString(length).length() + header.length() + 2) {
                    length++;
                }
                records.append(length).append(' ').append(header).append('\n');
            }
            return new Entry("PaxHeaders/next", TarArchiveEntry.LF_PAX_EXTENDED_HEADER_LC, records.toString());
        }
    }

    static final Instant MTIME = Instant.parse("2020-02-02T20:20:20Z");

    Path tar(Entry... entries) throws IOException {
        Path tar = Files.createTempFile(tmp, "image", ".tar");
        try (OutputStream file = Files.newOutputStream(tar);
                TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry e : entries) {
                TarArchiveEntry entry = new TarArchiveEntry(e.name(), e.type(), true);
                entry.setModTime(FileTime.from(MTIME));
                if (e.type() == TarArchiveEntry.LF_NORMAL || e.type() == TarArchiveEntry.LF_PAX_EXTENDED_HEADER_LC) {
                    byte[] bytes = e.content().getBytes(StandardCharsets.UTF_8);
                    entry.setSize(bytes.length);
                    entry.setMode(0100640);
                    out.putArchiveEntry(entry);
                    out.write(bytes);
                } else {
                    if (e.content() != null) {
                        entry.setLinkName(e.content());
                    }
                    out.putArchiveEntry(entry);
                }
                out.closeArchiveEntry();
            }
        }
        return tar;
    }

    @AfterEach
    void deleteTheImagesLinks() throws IOException {
        // JUnit warns about each link that points outside its temp dir.
        try (Stream<Path> all = Files.list(tmp)) {
            all.forEach(Tar::deleteTree);
        }
    }

    Path image() {
        return tmp.resolve("images/test");
    }

    /** Unpacks, expecting a refusal, and checks that nothing was written anywhere. */
    void assertRefused(String mentions, Path tar) throws IOException {
        Files.createDirectories(image().getParent());
        List<Path> before = everything();
        MydockerException e = assertThrows(MydockerException.class, () -> Tar.extract(tar, image()));
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
        assertEquals(before, everything(), "a refused tar must leave nothing");
        assertFalse(Files.exists(tmp.getParent().resolve("escaped")));
    }

    List<Path> everything() throws IOException {
        try (Stream<Path> all = Files.walk(tmp)) {
            // The unpacks' lock file stays, as lock files do.
            return all.filter(path -> !path.getFileName().toString().equals(Tar.LOCK)).sorted().toList();
        }
    }

    @Test
    void unpacksFilesDirectoriesLinksAndModes() throws IOException {
        String longName = "usr/share/" + "a-very-long-directory-name/".repeat(5) + "file.txt";
        Path tar = tar(Entry.dir("./"), Entry.dir("./bin/"), Entry.file("./bin/busybox", "binary"),
                Entry.symlink("./bin/sh", "/bin/busybox"), Entry.symlink("./etc/os-release", "../usr/lib/os-release"),
                Entry.hardlink("./bin/ls", "./bin/busybox"), Entry.file(longName, "long"),
                Entry.file("no/parent/entry", "x"));
        Files.createDirectories(image().getParent());
        Tar.extract(tar, image());
        assertEquals("binary", Files.readString(image().resolve("bin/busybox")));
        assertEquals(Path.of("/bin/busybox"), Files.readSymbolicLink(image().resolve("bin/sh")));
        assertEquals(Path.of("../usr/lib/os-release"), Files.readSymbolicLink(image().resolve("etc/os-release")));
        assertTrue(Files.isSameFile(image().resolve("bin/ls"), image().resolve("bin/busybox")));
        assertEquals("long", Files.readString(image().resolve(longName)));
        assertEquals("x", Files.readString(image().resolve("no/parent/entry")));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(image().resolve("bin/busybox"))));
        for (String path : List.of("bin", "bin/busybox", "no/parent/entry")) {
            assertEquals(MTIME, Files.getLastModifiedTime(image().resolve(path)).toInstant(), path);
        }
        try (Stream<Path> images = Files.list(image().getParent())) {
            assertEquals(List.of(image().resolveSibling(Tar.LOCK), image()), images.sorted().toList(),
                    "no temporary directory is left");
        }
    }

    @Test
    void theNextUnpackDeletesWhatAKilledOneLeft() throws IOException {
        Path left = Files.createDirectories(image().resolveSibling("." + image().getFileName() + "-123/bin"));
        Files.writeString(left.resolve("busybox"), "half");
        Tar.extract(tar(Entry.file("bin/busybox", "binary")), image());
        assertEquals("binary", Files.readString(image().resolve("bin/busybox")));
        try (Stream<Path> images = Files.list(image().getParent())) {
            assertEquals(List.of(image().resolveSibling(Tar.LOCK), image()), images.sorted().toList());
        }
    }

    @Test
    void deviceNodesAreSkipped() throws IOException {
        Files.createDirectories(image().getParent());
        Tar.extract(tar(Entry.dir("dev/"), new Entry("dev/sda", TarArchiveEntry.LF_BLK, null),
                new Entry("dev/null", TarArchiveEntry.LF_CHR, null), new Entry("fifo", TarArchiveEntry.LF_FIFO, null)), image());
        try (Stream<Path> dev = Files.list(image().resolve("dev"))) {
            assertEquals(List.of(), dev.toList());
        }
        assertFalse(Files.exists(image().resolve("fifo")));
    }

    @Test
    void aNameWithDotDotIsRefused() throws IOException {
        assertRefused("'..'", tar(Entry.file("ok", "fine"), Entry.file("../../escaped", "evil")));
        assertRefused("'..'", tar(Entry.file("a/../../../escaped", "evil")));
    }

    @Test
    void anAbsoluteNameIsRefused() throws IOException {
        assertRefused("absolute", tar(Entry.file("/tmp/escaped", "evil")));
    }

    @Test
    void aSymlinkPointingOutsideIsRefused() throws IOException {
        assertRefused("outside", tar(Entry.dir("etc/"), Entry.symlink("etc/link", "../../../escaped")));
    }

    @Test
    void writingThroughAnExtractedSymlinkIsRefused() throws IOException {
        // An absolute link is fine in the image, where it means the container's /tmp; written
        // through on the host, it would mean the host's.
        assertRefused("symbolic link", tar(Entry.symlink("hosttmp", "/tmp"), Entry.file("hosttmp/escaped", "evil")));
        assertRefused("symbolic link", tar(Entry.symlink("here", "."), Entry.file("here/x", "evil")));
    }

    @Test
    void aHardLinkToAHostFileIsRefused() throws IOException {
        assertRefused("absolute", tar(Entry.hardlink("passwd", "/etc/passwd")));
        assertRefused("'..'", tar(Entry.hardlink("passwd", "../../../../../../etc/passwd")));
        assertRefused("not a file of the image", tar(Entry.symlink("link", "/etc/passwd"), Entry.hardlink("passwd", "link")));
    }

    @Test
    void aHardLinkThroughASymlinkIsRefused() throws IOException {
        // Through a link to a host directory, the layer's file would be the host's, shared inode.
        Path decoy = Files.createDirectory(tmp.resolve("decoy"));
        Files.writeString(decoy.resolve("secret"), "host file");
        assertRefused("passes through the symbolic link d",
                tar(Entry.symlink("d", decoy.toString()), Entry.hardlink("x", "d/secret")));
        assertRefused("passes through the symbolic link etc/d", tar(Entry.dir("etc/"),
                Entry.symlink("etc/d", decoy.toString()), Entry.hardlink("x", "etc/d/secret")));
        // Even a link that stays in the image: the rule is the same as for an entry's name.
        assertRefused("passes through the symbolic link here",
                tar(Entry.file("file", "x"), Entry.symlink("here", "."), Entry.hardlink("x", "here/file")));
        assertEquals(1, Files.getAttribute(decoy.resolve("secret"), "unix:nlink"));
    }

    @Test
    void aHardLinkMustBeToAFileTheTarWroteBefore() throws IOException {
        assertRefused("not a file of the image", tar(Entry.hardlink("x", "later"), Entry.file("later", "x")));
        assertRefused("not a file of the image", tar(Entry.dir("etc/"), Entry.hardlink("x", "etc")));
        assertRefused("not a file of the image", tar(Entry.hardlink("x", ".")));
    }

    @Test
    void anEntryThatReplacesTheImagesRootIsRefused() throws IOException {
        // As a link, the root would take every later entry wherever it points.
        Path decoy = Files.createDirectory(tmp.resolve("decoy"));
        assertRefused("replaces the image's root directory",
                tar(Entry.symlink(".", decoy.toString()), Entry.file("escaped", "evil")));
        assertRefused("replaces the image's root directory", tar(Entry.symlink(".", "/")));
        assertRefused("replaces the image's root directory", tar(Entry.file(".", "evil")));
    }

    @Test
    void theImagesRootKeepsItsOwnerAndMode() throws IOException {
        // Whatever its "./" entry says, the root stays as mydocker made it: writable by its user only.
        Path tar = tmp.resolve("root.tar");
        try (OutputStream file = Files.newOutputStream(tar);
                TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            TarArchiveEntry root = new TarArchiveEntry("./");
            root.setMode(042777);
            root.setIds(1234, 1234);
            out.putArchiveEntry(root);
            out.closeArchiveEntry();
        }
        Files.createDirectories(image().getParent());
        Tar.extract(tar, image());
        assertEquals(0755, (int) Files.getAttribute(image(), "unix:mode") & 07777);
        assertEquals(Files.getAttribute(tmp, "unix:uid"), Files.getAttribute(image(), "unix:uid"));
        assertEquals(Files.getAttribute(tmp, "unix:gid"), Files.getAttribute(image(), "unix:gid"));
    }

    @Test
    void aSparseFileIsRefused() throws IOException {
        // Unpacked, each of these one-byte files would be 512 MiB, every block of it written.
        assertRefused("is a sparse file", tar(Entry.paxHeaders("GNU.sparse.size=536870912", "GNU.sparse.numblocks=1",
                "GNU.sparse.map=536870911,1"), Entry.file("big", "x")));
        // Format 1.0 keeps the map in the data, in a block of its own: 1 piece, at 536870911, 1 byte.
        String map = "1\n536870911\n1\n";
        assertRefused("is a sparse file", tar(Entry.paxHeaders("GNU.sparse.major=1", "GNU.sparse.minor=0",
                "GNU.sparse.name=big", "GNU.sparse.realsize=536870912"),
                Entry.file("GNUSparseFile.0/big", map + "\0".repeat(512 - map.length()) + "x")));
        assertRefused("is a sparse file", tar(Entry.paxHeaders("SCHILY.filetype=sparse", "SCHILY.realsize=536870912"),
                Entry.file("big", "x")));
        assertRefused("is a sparse file", tar(new Entry("big", TarArchiveEntry.LF_GNUTYPE_SPARSE, null)));
    }

    @Test
    void aDirectorysTimeIsNotSetThroughALinkThatReplacedIt() throws IOException {
        Path decoy = Files.createDirectory(tmp.resolve("decoy"));
        FileTime decoyTime = FileTime.from(Instant.parse("2010-10-10T10:10:10Z"));
        Files.setLastModifiedTime(decoy, decoyTime);
        Files.createDirectories(image().getParent());
        Tar.extract(tar(Entry.dir("x/"), Entry.symlink("x", decoy.toString())), image());
        assertEquals(decoy, Files.readSymbolicLink(image().resolve("x")));
        assertEquals(decoyTime, Files.getLastModifiedTime(decoy));
    }

    @Test
    void aDeleteNeverGoesIntoAMount() throws IOException {
        // As a volume would be, if mydocker's clean-up ever met one: a directory of the host,
        // bound into the tree that is deleted.
        Path hosts = Files.createDirectories(tmp.resolve("hosts-files"));
        Files.writeString(hosts.resolve("precious"), "precious\n");
        Path tree = Files.createDirectories(tmp.resolve("container/merged/data"));
        LibC.mount(hosts.toString(), tree.toString(), null, LibC.MS_BIND, null);
        try {
            MydockerException e = assertThrows(MydockerException.class, () -> Tar.deleteTree(tmp.resolve("container")));
            assertTrue(e.getMessage().contains(tree + " is mounted"), e.getMessage());
            assertEquals("precious\n", Files.readString(hosts.resolve("precious")));
            assertTrue(Files.exists(tree), "nothing of the tree is deleted");
        } finally {
            LibC.umount2(tree.toString(), 0);
        }
    }

    @Test
    void aCorruptTarIsRefused() throws IOException {
        Path tar = tmp.resolve("corrupt.tar");
        byte[] garbage = new byte[4096];
        new java.util.Random(42).nextBytes(garbage);
        Files.write(tar, garbage);
        assertRefused("is it a tar", tar);
    }

    @Test
    void aTruncatedTarIsRefused() throws IOException {
        Path whole = tar(Entry.file("big", "x".repeat(10_000)));
        Path truncated = tmp.resolve("truncated.tar");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(whole), 3000));
        assertRefused("is it a tar", truncated);
    }

    @Test
    void aTarCutShortBetweenEntriesIsRefused() throws IOException {
        // Cut where the second entry's header begins: what is left would read as a whole tar of one file.
        Path whole = tar(Entry.file("first", "x".repeat(100)), Entry.file("second", "y"));
        Path cut = tmp.resolve("cut.tar");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(whole), 2 * 512));
        assertRefused("cut short", cut);
    }

    @Test
    void anEmptyTarIsRefused() throws IOException {
        assertRefused("no files", tar());
    }

    /** Packs tree as commit does, skipping what is in its "proc". */
    static byte[] pack(Path tree) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Tar.create(tree, out, Set.of("proc"));
        return out.toByteArray();
    }

    @Test
    void packsFilesAndDirectoriesAndLinksAsLinksNeverFollowed() throws Exception {
        Path decoy = Files.writeString(tmp.resolve("decoy"), "the host's secret");
        Path tree = Files.createDirectory(tmp.resolve("tree"));
        Path passwd = Files.writeString(Files.createDirectory(tree.resolve("etc")).resolve("passwd"), "root:x:0:0\n");
        LibC.chmod(passwd.toString(), 04640);
        Files.setLastModifiedTime(passwd, FileTime.from(MTIME));
        Files.createLink(tree.resolve("etc/again"), passwd);
        Files.createSymbolicLink(tree.resolve("shadow"), decoy); // in the container, its own /tmp/.../decoy
        Files.createSymbolicLink(tree.resolve("host"), tmp);
        Files.writeString(Files.createDirectories(tree.resolve("proc/1")).resolve("status"), "running");
        assertEquals(0, new ProcessBuilder("mkfifo", tree.resolve("fifo").toString()).inheritIO().start().waitFor());
        byte[] tar = pack(tree);
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                names.add(entry.getName());
                switch (entry.getName()) {
                    case "etc/again" -> {
                        assertEquals("root:x:0:0\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
                        assertEquals(04640, entry.getMode() & 07777);
                        assertEquals(MTIME, entry.getLastModifiedTime().toInstant());
                        assertEquals(Files.getAttribute(passwd, "unix:uid"), (int) entry.getLongUserId());
                    }
                    case "etc/passwd" -> assertTrue(entry.isLink() && entry.getLinkName().equals("etc/again"),
                            "a hard link");
                    case "shadow" -> assertTrue(entry.isSymbolicLink() && entry.getLinkName().equals(decoy.toString()));
                    case "host" -> assertTrue(entry.isSymbolicLink() && entry.getLinkName().equals(tmp.toString()));
                    default -> assertTrue(entry.isDirectory(), entry.getName());
                }
            }
        }
        assertEquals(List.of("etc/", "etc/again", "etc/passwd", "host", "proc/", "shadow"), names,
                "sorted; no FIFO, and nothing of what is in proc");
        assertFalse(new String(tar, StandardCharsets.ISO_8859_1).contains("the host's secret"));
    }

    /** renameat2(2), which glibc wraps: with RENAME_EXCHANGE, two names swap their files at once. */
    static final class Rename {
        static {
            Native.register(Platform.C_LIBRARY_NAME);
        }

        static final int AT_FDCWD = -100;
        static final int RENAME_EXCHANGE = 2;

        static native int renameat2(int oldDir, String oldPath, int newDir, String newPath, int flags)
                throws LastErrorException;

        static void exchange(Path one, Path two) {
            renameat2(AT_FDCWD, one.toString(), AT_FDCWD, two.toString(), RENAME_EXCHANGE);
        }
    }

    @Test
    void aFileSwappedForALinkWhileItIsPackedIsNeverFollowed() throws Exception {
        assertPackingNeverFollowsASwappedInLink(false);
    }

    @Test
    void aDirectorySwappedForALinkWhileItsFilesArePackedIsNeverFollowed() throws Exception {
        assertPackingNeverFollowsASwappedInLink(true);
    }

    /**
     * Does what a hostile container may do while commit packs its files: swaps files, or
     * directories on files' paths, for links to the host's, over and over, between mydocker's
     * looking at them and reading them. Each swap is atomic, so every name is always there.
     */
    void assertPackingNeverFollowsASwappedInLink(boolean directories) throws Exception {
        String secret = "the host's secret " + UUID.randomUUID();
        Path decoys = Files.createDirectory(tmp.resolve("decoys"));
        Path decoy = Files.writeString(decoys.resolve("f"), secret);
        Path tree = Files.createDirectory(tmp.resolve("tree"));
        String harmless = "x".repeat(secret.length()); // as long as the secret: the header's size fits it
        for (int i = 0; i < 10; i++) {
            Path real = tree.resolve("real" + i);
            Path file = directories ? Files.createDirectory(real).resolve("f") : real;
            Files.writeString(file, harmless);
            Files.createSymbolicLink(tree.resolve("link" + i), directories ? decoys : decoy);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread swapper = new Thread(() -> {
            while (!stop.get()) {
                for (int i = 0; i < 10; i++) {
                    Rename.exchange(tree.resolve("real" + i), tree.resolve("link" + i));
                }
            }
        });
        swapper.start();
        try {
            long end = System.nanoTime() + 3_000_000_000L;
            for (int packed = 0; packed < 1000 && System.nanoTime() < end; packed++) {
                assertFalse(new String(pack(tree), StandardCharsets.ISO_8859_1).contains(secret),
                        "the host's file was packed, after " + packed + " tars without it");
            }
        } finally {
            stop.set(true);
            swapper.join();
        }
        assertEquals(secret, Files.readString(decoy));
    }

    @Test
    void withoutAStaticBusyboxTheErrorNamesThePackage() {
        for (Path busybox : List.of(tmp.resolve("no-busybox"), Path.of("/bin/ls"))) {
            MydockerException e = assertThrows(MydockerException.class,
                    () -> BusyboxImage.write(busybox, tmp.resolve("busybox.tar")));
            assertTrue(e.getMessage().contains("apt-get install busybox-static") && e.getMessage().contains("docker export"),
                    e.getMessage());
            assertFalse(Files.exists(tmp.resolve("busybox.tar")));
        }
    }

    @Test
    void theBusyboxImageHoldsBusyboxItsAppletsAndEtc() throws IOException {
        Path tar = tmp.resolve("busybox.tar");
        BusyboxImage.write(BusyboxImage.BUSYBOX, tar);
        Files.createDirectories(image().getParent());
        Tar.extract(tar, image());
        assertTrue(Files.isExecutable(image().resolve("bin/busybox")));
        assertEquals(Path.of("/bin/busybox"), Files.readSymbolicLink(image().resolve("bin/sh")));
        assertTrue(Files.isSymbolicLink(image().resolve("usr/sbin/chroot")), "busybox --list-full places applets");
        assertTrue(Files.readString(image().resolve("etc/passwd")).startsWith("root:x:0:0:"));
        assertTrue(Files.exists(image().resolve("etc/group")));
        assertTrue(Files.exists(image().resolve("etc/hostname")));
        for (String dir : List.of("proc", "dev", "tmp", "root")) {
            assertTrue(Files.isDirectory(image().resolve(dir), LinkOption.NOFOLLOW_LINKS), dir);
        }
        assertTrue((int) Files.getAttribute(image().resolve("tmp"), "unix:mode") % 010000 == 01777, "/tmp is sticky");
    }
}
