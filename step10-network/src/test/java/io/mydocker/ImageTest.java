package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state root and the images in it. What mydocker keeps there, it unpacks and mounts as
 * root: only root may reach it, and only root may have put anything there.
 */
class ImageTest {
    @TempDir
    Path tmp;

    @Test
    void aMissingStateRootIsCreatedWhenItsParentExists() {
        Path root = tmp.resolve("state");
        assertEquals(root, Image.stateRoot(root));
        assertTrue(Files.isDirectory(root));
    }

    @Test
    void aStateRootWithoutAParentIsAnError() {
        Path root = tmp.resolve("no/such/state");
        MydockerException e = assertThrows(MydockerException.class, () -> Image.stateRoot(root));
        assertTrue(e.getMessage().contains("--root"), e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("no")));
    }

    @Test
    void aStateRootThatIsAFileIsAnError() throws IOException {
        Path file = Files.createFile(tmp.resolve("file"));
        assertThrows(MydockerException.class, () -> Image.stateRoot(file));
    }

    @Test
    void theStateRootAndTheDirectoriesInItAreForTheirOwnerOnly() throws IOException {
        for (Path dir : stateRootAndItsDirectories(Image.stateRoot(tmp.resolve("state")))) {
            assertEquals("rwx------", permissions(dir), dir.toString());
        }
    }

    @Test
    void anExistingStateRootIsClosedToOtherUsers() throws IOException {
        List<Path> dirs = stateRootAndItsDirectories(Image.stateRoot(tmp.resolve("state")));
        for (Path dir : dirs) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Image.stateRoot(tmp.resolve("state"));
        for (Path dir : dirs) {
            assertEquals("rwx------", permissions(dir), dir.toString());
        }
    }

    @Test
    void aSymbolicLinkAsTheStateRootOrInItIsRefused() throws IOException {
        Path decoy = Files.createDirectory(tmp.resolve("decoy"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), decoy);
        assertRefused(link, link, "is a symbolic link");
        assertEquals(List.of(), list(decoy));
        Path root = Image.stateRoot(tmp.resolve("state"));
        for (Path dir : directoriesIn(root)) {
            Files.delete(dir);
            Files.createSymbolicLink(dir, decoy);
            assertRefused(root, dir, "is a symbolic link");
            assertEquals(List.of(), list(decoy), "nothing is written where " + dir + " points");
            Files.delete(dir);
            Files.createDirectory(dir);
        }
    }

    @Test
    void aStateRootThatOtherUsersCanWriteIsRefused() throws IOException {
        Path root = Image.stateRoot(tmp.resolve("state"));
        for (Path dir : stateRootAndItsDirectories(root)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            assertRefused(root, dir, "writable by other users (mode 777)");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void aStateRootOwnedByAnotherUserIsRefused() throws IOException {
        assumeTrue(LibC.geteuid() == 0, "only root can give a directory to another user");
        Path root = Image.stateRoot(tmp.resolve("state"));
        for (Path dir : stateRootAndItsDirectories(root)) {
            Files.setAttribute(dir, "unix:uid", 65534);
            assertRefused(root, dir, "owned by uid 65534");
            Files.setAttribute(dir, "unix:uid", 0);
        }
    }

    /** Expects the state root to be refused for what is wrong with dir, and nothing changed. */
    private static void assertRefused(Path root, Path dir, String problem) throws IOException {
        List<Path> before = everything(root);
        MydockerException e = assertThrows(MydockerException.class, () -> Image.stateRoot(root));
        assertTrue(e.getMessage().contains(dir + " ") && e.getMessage().contains(problem)
                && e.getMessage().contains("--root"), e.getMessage());
        assertEquals(before, everything(root));
    }

    /** The state root, then the directories that mydocker made in it. */
    private static List<Path> stateRootAndItsDirectories(Path root) throws IOException {
        List<Path> dirs = new ArrayList<>(List.of(root));
        dirs.addAll(directoriesIn(root));
        return dirs;
    }

    private static List<Path> directoriesIn(Path root) throws IOException {
        List<Path> dirs = list(root);
        assertFalse(dirs.isEmpty(), "the state root holds mydocker's directories");
        return dirs;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private static List<Path> everything(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.sorted().toList();
        }
    }

    private static String permissions(Path dir) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(dir));
    }

    @Test
    void anUnknownImageNamesTheImagesThereAre() throws IOException {
        Files.createDirectories(tmp.resolve("images/ubuntu"));
        Files.createFile(tmp.resolve("images/ubuntu.tar"));
        Files.createFile(tmp.resolve("images/alpine.tar"));
        assertEquals(List.of("alpine", "ubuntu"), Image.names(tmp));
        MydockerException e = assertThrows(MydockerException.class, () -> Image.tar(tmp, "nope"));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("alpine, ubuntu"), e.getMessage());
    }

    @Test
    void imageNamesCannotBePaths() {
        for (String bad : new String[] {"../busybox", "a/b", "/etc/passwd", "", ".hidden", "Upper"}) {
            MydockerException e = assertThrows(MydockerException.class, () -> Image.tar(tmp, bad), bad);
            assertTrue(e.getMessage().contains("invalid image name"), e.getMessage());
        }
    }
}
