package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayTest {
    @TempDir
    Path tmp;

    @Test
    void theMountOptionsNameTheThreeDirectories() {
        assertEquals("lowerdir=/var/lib/mydocker/layers/busybox,upperdir=/c/upper,workdir=/c/work",
                Overlay.options(Path.of("/var/lib/mydocker/layers/busybox"), Path.of("/c/upper"), Path.of("/c/work")));
    }

    @Test
    void commasColonsAndBackslashesInPathsAreEscaped() {
        // Unescaped, "a,b" would end the option and "a:b" would be two lower layers.
        assertEquals("lowerdir=/x/a\\,b\\:c\\\\d,upperdir=/u,workdir=/w",
                Overlay.options(Path.of("/x/a,b:c\\d"), Path.of("/u"), Path.of("/w")));
    }

    @Test
    void aKernelWithoutOverlayfsIsAClearError() throws IOException {
        Path filesystems = Files.writeString(tmp.resolve("filesystems"), "nodev\tsysfs\nnodev\tproc\n\text4\n");
        MydockerException e = assertThrows(MydockerException.class, () -> Overlay.requireSupport(filesystems));
        assertEquals(125, e.exitCode);
        assertTrue(e.getMessage().contains("modprobe overlay"), e.getMessage());
        assertThrows(MydockerException.class, () -> Overlay.requireSupport(tmp.resolve("missing")));
    }

    @Test
    void aKernelWithOverlayfsPasses() throws IOException {
        Overlay.requireSupport(Files.writeString(tmp.resolve("filesystems"), "nodev\tproc\nnodev\toverlay\n\text4\n"));
    }
}
