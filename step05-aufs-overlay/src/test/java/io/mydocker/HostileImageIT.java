package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile image, or a tampered state root, aims at a decoy on the host, outside the state
 * root: the run is refused with one line and exit 125, and the decoy is neither read nor
 * written.
 */
class HostileImageIT extends ContainerTestBase {
    static final FileTime DECOY_TIME = FileTime.from(Instant.parse("2010-10-10T10:10:10Z"));

    /** The host's files, where the decoys are. */
    @TempDir
    Path host;

    @Test
    void aHardLinkThroughASymlinkNeitherReadsNorWritesAHostFile() throws IOException {
        Path secret = Files.writeString(host.resolve("secret"), "the host's secret\n");
        Files.setLastModifiedTime(secret, DECOY_TIME);
        Files.createDirectories(root.resolve("images"));
        try (OutputStream file = Files.newOutputStream(root.resolve("images/evil.tar"));
                TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            TarArchiveEntry busybox = new TarArchiveEntry("bin/busybox");
            busybox.setMode(0100755);
            busybox.setSize(Files.size(BusyboxImage.BUSYBOX));
            out.putArchiveEntry(busybox);
            Files.copy(BusyboxImage.BUSYBOX, out);
            out.closeArchiveEntry();
            link(out, TarArchiveEntry.LF_SYMLINK, "bin/sh", "busybox");
            link(out, TarArchiveEntry.LF_SYMLINK, "bin/cat", "busybox");
            // d is the host's directory, and x, unpacked, would be the host's file itself.
            link(out, TarArchiveEntry.LF_SYMLINK, "d", host.toString());
            link(out, TarArchiveEntry.LF_LINK, "x", "d/secret");
        }
        Mydocker.Result read = mydocker.run("run", "evil", "cat", "/x");
        Mydocker.Result write = mydocker.run("run", "evil", "sh", "-c", "echo written >> /x");
        assertEquals("the host's secret\n", Files.readString(secret), "the host's file is not written");
        assertEquals(DECOY_TIME, Files.getLastModifiedTime(secret));
        for (Mydocker.Result result : List.of(read, write)) {
            CliIT.assertOneLineError(125, "symbolic link d", result);
            assertEquals("", result.out(), result.toString());
        }
        try (Stream<Path> all = Files.walk(root)) {
            // The lock file through which unpacks take turns stays, as the containers' does.
            assertEquals(List.of(root.resolve("images/evil.tar")),
                    all.filter(path -> root.relativize(path).getNameCount() > 1)
                            .filter(path -> !path.getFileName().toString().equals(Tar.LOCK)).toList(),
                    "no layer is left");
        }
    }

    @Test
    void initMountsOnlyOnTheImagesOwnDirectories() throws IOException {
        // init mounts /proc and /dev, and makes /.pivot_root, before pivot_root, when the host's
        // files are still in sight: an image's link there would lead it to the host.
        for (String dir : List.of("proc", "dev", ".pivot_root")) {
            Path decoy = host.resolve(dir + "-decoy");
            String image = "evil" + dir.replace(".", "-");
            Files.createDirectories(root.resolve("images"));
            try (OutputStream file = Files.newOutputStream(root.resolve("images").resolve(image + ".tar"));
                    TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
                TarArchiveEntry busybox = new TarArchiveEntry("bin/busybox");
                busybox.setMode(0100755);
                busybox.setSize(Files.size(BusyboxImage.BUSYBOX));
                out.putArchiveEntry(busybox);
                Files.copy(BusyboxImage.BUSYBOX, out);
                out.closeArchiveEntry();
                link(out, TarArchiveEntry.LF_SYMLINK, dir, decoy.resolve("made-by-the-image").toString());
            }
            Mydocker.Result result = mydocker.run("run", image, "/bin/busybox", "true");
            CliIT.assertOneLineError(125, "the image's /" + dir + " is not a directory", result);
            assertFalse(Files.exists(decoy), "init made " + decoy + " on the host");
        }
    }

    private static void link(TarArchiveOutputStream out, byte type, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setLinkName(target);
        out.putArchiveEntry(entry);
        out.closeArchiveEntry();
    }

    @Test
    void aSymlinkInTheStateRootIsRefusedAndNothingIsWrittenWhereItPoints() throws IOException {
        assertEquals(0, mydocker.run("run", "busybox", "true").exitCode());
        List<Path> dirs = list(root);
        assertFalse(dirs.isEmpty(), "mydocker keeps its directories in the state root");
        for (Path dir : dirs) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)), dir.toString());
            Path decoy = Files.createDirectory(host.resolve(dir.getFileName()));
            Files.setLastModifiedTime(decoy, DECOY_TIME);
            Path aside = Files.move(dir, host.resolve(dir.getFileName() + ".aside"));
            Files.createSymbolicLink(dir, decoy);
            Mydocker.Result result = mydocker.run("run", "busybox", "true");
            assertEquals(List.of(), list(decoy), "nothing is written where " + dir + " points");
            assertEquals(DECOY_TIME, Files.getLastModifiedTime(decoy), "nothing is written where " + dir + " points");
            CliIT.assertOneLineError(125, dir + " in the state root is a symbolic link", result);
            Files.delete(dir);
            Files.move(aside, dir);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }
}
