package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
