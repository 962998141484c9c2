package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each container's own copy-on-write layer over the image, seen from the host while it runs,
 * and gone, unmounted and removed, however the container ends (SignalsIT ends it by signals).
 */
class OverlayIT extends ContainerTestBase {
    /** Runs in the container: marks itself ready, then waits until the host creates /done. */
    static final String READY_THEN_WAIT = "touch /ready; while [ ! -e /done ]; do sleep 0.1; done";

    @Test
    void writesAndDeletesGoToTheContainersUpperLayerNeverToTheImage() throws Exception {
        Process container = mydocker.background("run", "busybox", "sh", "-c",
                "echo written > /new-file; rm /etc/group; " + READY_THEN_WAIT + "; cat /new-file; ls /etc/group");
        Path dir = awaitReady(container);
        Path upper = dir.resolve("upper");
        Path image = Image.layer(root, Image.DEFAULT);
        assertTrue(mountedUnderRoot().contains(dir.resolve("merged").toString()), "the overlay is mounted while it runs");
        assertEquals("written\n", Files.readString(upper.resolve("new-file")));
        assertFalse(Files.exists(image.resolve("new-file")), "a write never reaches the image");
        // A deleted file of the image leaves a whiteout in the upper layer: a character device 0/0.
        assertTrue(Files.exists(image.resolve("etc/group")), "the image keeps a deleted file");
        int mode = (int) Files.getAttribute(upper.resolve("etc/group"), "unix:mode");
        assertEquals(0020000, mode & 0170000, "a whiteout is a character device");
        assertEquals(0L, ((Number) Files.getAttribute(upper.resolve("etc/group"), "unix:rdev")).longValue());
        Files.createFile(dir.resolve("merged/done"));
        assertEquals(1, Mydocker.waitFor(container), "ls /etc/group fails in the container");
        assertEquals("written\n", new String(container.getInputStream().readAllBytes()));
        assertNothingLeft();
    }

    @Test
    void twoContainersOfOneImageDoNotSeeEachOthersWrites() throws Exception {
        String script = "echo $0 > /who; " + READY_THEN_WAIT + "; cat /who";
        Process first = mydocker.background("run", "busybox", "sh", "-c", script, "first");
        Path firstDir = awaitReady(first);
        Process second = mydocker.background("run", "busybox", "sh", "-c", script, "second");
        Path secondDir = awaitReady(second);
        assertEquals(2, containers().size());
        Files.createFile(firstDir.resolve("merged/done"));
        Files.createFile(secondDir.resolve("merged/done"));
        assertEquals(0, Mydocker.waitFor(first));
        assertEquals(0, Mydocker.waitFor(second));
        assertEquals("first\n", new String(first.getInputStream().readAllBytes()));
        assertEquals("second\n", new String(second.getInputStream().readAllBytes()));
        assertFalse(Files.exists(Image.layer(root, Image.DEFAULT).resolve("who")));
        assertNothingLeft();
    }

    @Test
    void nothingIsLeftAfterANormalOrAFailingExit() throws IOException {
        Mydocker.assertSuccess("", mydocker.run("run", "busybox", "true"));
        assertNothingLeft();
        assertEquals(3, mydocker.run("run", "busybox", "sh", "-c", "echo x > /file; exit 3").exitCode());
        assertNothingLeft();
        CliIT.assertOneLineError(127, "/no/such/command", mydocker.run("run", "busybox", "/no/such/command"));
        assertNothingLeft();
    }

    @Test
    void nothingIsLeftAfterAnOomKill() throws IOException {
        Mydocker.Result result = mydocker.run("run", "-m", "32m", "busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1");
        assertEquals(137, result.exitCode(), result.toString());
        assertNothingLeft();
    }

    @Test
    void aContainerInUseIsKeptAndMydockerSaysHowToCleanUp() throws Exception {
        // A shell of the host sits in the container's root: the overlay cannot be unmounted, and
        // deleting the layers through it is not what we want.
        Process container = mydocker.background("run", "busybox", "sh", "-c", READY_THEN_WAIT);
        Path dir = awaitReady(container);
        Path merged = dir.resolve("merged");
        Process busy = new ProcessBuilder("sleep", "100").directory(merged.toFile()).start();
        try {
            Files.createFile(merged.resolve("done"));
            assertEquals(125, Mydocker.waitFor(container));
            String error = new String(container.getErrorStream().readAllBytes());
            assertEquals("mydocker: cannot unmount " + merged + ": Device or resource busy; a process of the host uses"
                    + " the container's files: end it, then unmount " + merged + "\n", error);
            CliIT.assertOneLineError(125, "cannot unmount " + merged, mydocker.run("rm", dir.getFileName().toString()));
            assertTrue(Files.isDirectory(dir.resolve("upper")), "the layers are kept");
        } finally {
            busy.destroyForcibly().waitFor();
        }
        // Once nothing uses it, rm does the rest.
        Mydocker.assertSuccess(dir.getFileName() + "\n", mydocker.run("rm", dir.getFileName().toString()));
        assertNothingLeft();
    }

    private final Set<Path> seen = new HashSet<>();

    /** Waits for the one container that has not yet been seen ready, and returns its directory. */
    private Path awaitReady(Process container) throws Exception {
        for (int tries = 0; tries < 600; tries++) {
            for (Path dir : containers()) {
                if (Files.exists(dir.resolve("upper/ready")) && seen.add(dir)) {
                    return dir;
                }
            }
            assertTrue(container.isAlive(), () -> "the container ended early: " + output(container));
            Thread.sleep(100);
        }
        throw new AssertionError("the container did not get ready within 60 s");
    }

    private static String output(Process process) {
        try {
            return new String(process.getInputStream().readAllBytes()) + new String(process.getErrorStream().readAllBytes());
        } catch (IOException e) {
            return e.toString();
        }
    }

    private List<Path> containers() throws IOException {
        Path dir = root.resolve(Container.CONTAINERS);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(Files::isDirectory).sorted().toList();
        }
    }

    private List<String> mountedUnderRoot() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(line -> line.split(" ")[4])
                .filter(mountPoint -> mountPoint.startsWith(root.toString()))
                .toList();
    }

    /** An exited container has no mount left; its layers stay until rm. */
    private void assertNothingLeft() throws IOException {
        assertEquals(List.of(), mountedUnderRoot(), "nothing stays mounted under the state root");
        mydocker.removeAll();
        assertEquals(List.of(), containers(), "rm removes the container's layers");
    }
}
