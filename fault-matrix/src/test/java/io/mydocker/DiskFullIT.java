package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A full disk: the state root is a small tmpfs, which a filler file fills so that exactly the
 * step under test runs out of space. Each command fails with one line that says so, exit 125,
 * and leaves no half record, layer, image or network file; once the filler is gone, the same
 * command works.
 *
 * <p>The tmpfs is mounted on the state root after FaultCase has looked at the host, so it must be
 * gone before FaultCase looks again: once the containers are removed (they hold mounts on it),
 * what it holds is copied to the disk below it, for FaultCase to check. If that fails, an
 * extension unmounts it after FaultCase's check, whatever happened.
 */
class DiskFullIT extends FaultCase {
    private static final String NO_SPACE = "No space left on device";

    @RegisterExtension
    final AfterEachCallback unmountAtLast = context -> {
        if (mounted()) {
            NetNs.run(List.of("umount", "--lazy", root.toString()));
        }
    };

    private Path filler;

    @BeforeEach
    void stateRootOnASmallDisk() {
        // mode 0700: mydocker refuses a state root that others may write in, as tmpfs's 1777 is.
        NetNs.assertOk(NetNs.run(List.of("mount", "-t", "tmpfs", "-o", "size=12m,mode=0700", "fm-disk-full",
                root.toString())));
        filler = root.resolve("filler");
    }

    @AfterEach
    void backOnTheDisk() throws Exception {
        Files.deleteIfExists(filler);
        mydocker.stopBackground();
        mydocker.removeAll(); // their overlays are mounted on the tmpfs
        Path copy = Files.createDirectory(host.resolve("state"));
        NetNs.assertOk(NetNs.run(List.of("cp", "-a", root + "/.", copy.toString())));
        NetNs.assertOk(NetNs.run(List.of("umount", root.toString())));
        NetNs.assertOk(NetNs.run(List.of("cp", "-a", copy + "/.", root.toString())));
    }

    private boolean mounted() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .anyMatch(line -> line.split(" ")[4].equals(root.toString()));
    }

    @Test
    void runCannotWriteTheRecord() throws IOException {
        primeTheImage();
        fill(0);
        assertNoSpace(mydocker.run("run", "--rm", "busybox", "true"));
        assertEquals(List.of(Containers.LOCK), names(root.resolve(Container.CONTAINERS)), "no container directory");
        Files.delete(filler);
        assertEquals(0, mydocker.run("run", "--rm", "busybox", "true").exitCode());
    }

    @Test
    void runCannotUnpackTheLayer() throws IOException {
        primeTheImage();
        for (String layer : layers()) {
            Tar.deleteTree(root.resolve(Image.LAYERS).resolve(layer));
        }
        fill(1 << 20); // room for some of busybox's files, not all
        assertNoSpace(mydocker.run("run", "--rm", "busybox", "true"));
        assertEquals(List.of(), layers(), "no half layer");
        Files.delete(filler);
        assertEquals(0, mydocker.run("run", "--rm", "busybox", "true").exitCode());
    }

    @Test
    void runWithAVolumeAndANetworkCannotLeaseAnAddress() throws IOException {
        assertEquals(0, mydocker.run("network", "create", "--subnet", "10.232.0.0/24", "fm0").exitCode());
        primeTheImage();
        fill(4096); // a page: the record fits, the network's file with the lease does not
        String[] run = {"run", "-d", "--name", "web", "--net", "fm0", "-p", "18081:80", "-v", volume + ":/data",
                "busybox", "sleep", "600"};
        assertNoSpace(mydocker.run(run));
        assertEquals("", mydocker.run("ps", "-aq").out(), "no container");
        assertEquals(List.of(".lock", "fm0.json"), names(root.resolve(Networks.NETWORKS)), "no half network file");
        assertFalse(netns.snapshot().contains("veth"), netns.snapshot());
        Files.delete(filler);
        assertEquals(0, mydocker.run(run).exitCode());
        assertEquals(0, mydocker.run("rm", "-f", "web").exitCode());
    }

    @Test
    void commitCannotWriteTheImage() throws IOException {
        primeTheImage();
        assertEquals(0, mydocker.run("run", "-d", "--name", "box", "busybox", "sleep", "600").exitCode());
        fill(1 << 20); // room for half of busybox
        assertNoSpace(mydocker.run("commit", "box", "snapshot"));
        assertEquals(List.of("busybox.tar"), names(root.resolve(Image.IMAGES)), "no half image");
        Files.delete(filler);
        assertEquals(0, mydocker.run("commit", "box", "snapshot").exitCode());
        assertEquals(List.of("busybox.tar", "snapshot.tar"), names(root.resolve(Image.IMAGES)));
    }

    @Test
    void networkCreateCannotWriteItsFile() throws IOException {
        Files.createDirectories(root.resolve(Networks.NETWORKS)); // as a first network create makes it
        fill(0);
        String[] create = {"network", "create", "--subnet", "10.233.0.0/24", "fm1"};
        assertNoSpace(mydocker.run(create));
        assertEquals(List.of(".lock"), names(root.resolve(Networks.NETWORKS)), "no half network file");
        assertFalse(netns.snapshot().contains("fm1"), "no bridge, no rule: " + netns.snapshot());
        Files.delete(filler);
        assertEquals(0, mydocker.run(create).exitCode());
    }

    @Test
    void aContainerThatFillsTheDiskIsStoppedAndRemoved() throws Exception {
        primeTheImage();
        assertEquals(0, mydocker.run("run", "-d", "--name", "hog", "busybox", "sh", "-c",
                "cat /dev/zero > /hog; sleep 600").exitCode());
        for (int tries = 0; Files.getFileStore(root).getUsableSpace() > 0 && tries < 100; tries++) {
            Thread.sleep(100);
        }
        assertEquals(0, Files.getFileStore(root).getUsableSpace(), "the container filled the disk");
        Mydocker.Result stop = mydocker.run("stop", "-t", "0", "hog");
        assertEquals(0, stop.exitCode(), stop.toString());
        Mydocker.Result rm = mydocker.run("rm", "hog");
        assertEquals(0, rm.exitCode(), rm.toString());
        assertEquals("", mydocker.run("ps", "-aq").out());
    }

    /** Builds the busybox image and unpacks its layer, as a first run does. */
    private void primeTheImage() {
        Mydocker.Result run = mydocker.run("run", "--rm", "busybox", "true");
        assertEquals(0, run.exitCode(), run.toString());
    }

    /** Fills the disk but for free bytes, with the filler file. */
    private void fill(long free) throws IOException {
        try (FileChannel out = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
            try {
                while (true) {
                    out.write(zeros.clear());
                }
            } catch (IOException full) {
                // ENOSPC: now the disk is full
            }
            out.truncate(out.size() - free);
        }
        assertEquals(free, Files.getFileStore(root).getUsableSpace(), "free space");
    }

    /** The command failed for want of space, with one line that says so, and exit 125. */
    private static void assertNoSpace(Mydocker.Result result) {
        assertEquals(125, result.exitCode(), result.toString());
        assertTrue(result.err().contains(NO_SPACE), result.toString());
        assertTrue(result.err().startsWith("mydocker: "), result.toString());
        assertEquals(1, result.err().lines().count(), "one line: " + result);
    }

    /** The layers and what an unpack left of one: all but the lock file through which unpacks take turns. */
    private List<String> layers() throws IOException {
        return names(root.resolve(Image.LAYERS)).stream().filter(name -> !name.equals(Tar.LOCK)).toList();
    }

    /** The names in dir, sorted; none if it is not there. */
    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
