package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing -v, as docker spells it, without mounting anything. */
class VolumeTest {
    /** Where the hosts' directories are: parsing looks at the host, whose /tmp may hold anything. */
    @TempDir
    Path tmp;

    @Test
    void theThreeForms() {
        Volume plain = Volume.parse(tmp + "/data:/data");
        assertEquals(tmp.resolve("data"), plain.host());
        assertEquals(Path.of("/data"), plain.container());
        assertFalse(plain.readOnly());
        assertTrue(Volume.parse(tmp + "/data:/data:ro").readOnly());
        assertFalse(Volume.parse(tmp + "/data:/data:rw").readOnly());
    }

    @Test
    void pathsAreNormalizedAndInitGetsTheSameVolumeBack() {
        Volume volume = Volume.parse(tmp + "//data/./x/..:/srv/../data/:ro");
        assertEquals(tmp + "/data:/data:ro", volume.toString());
        assertEquals(volume, Volume.parse(volume.toString()));
    }

    @Test
    void anOuterVolumeIsMountedBeforeAnInnerOne() {
        List<Volume> volumes = Volume.parseAll(List.of(tmp + "/b:/data/logs", tmp + "/a:/data"));
        assertEquals(List.of(Path.of("/data"), Path.of("/data/logs")), volumes.stream().map(Volume::container).toList());
    }

    @Test
    void badSpecsAreRefusedWithTheReason() {
        assertRefused("HOST:CONTAINER", tmp + "/data");
        assertRefused("HOST:CONTAINER", "/a:/b:/c:/d");
        assertRefused("absolute", "data:/data");
        assertRefused("absolute", tmp + "/data:data");
        assertRefused("'rx' is neither ro nor rw", tmp + "/data:/data:rx");
        assertRefused("container's root", tmp + "/data:/");
        assertRefused("container's root", tmp + "/data:/x/..");
        assertRefused("a control character, such as a newline", tmp + "/da\nta:/data");
        assertRefused("bytes that are not UTF-8", tmp + "/da\uFFFDta:/data");
        assertRefused("a path is too long", tmp + "/" + "a".repeat(256) + ":/data");
        assertRefused("a path is too long", tmp + "/data:" + "/a".repeat(2048));
        assertRefused("another volume is at /data", tmp + "/a:/data", tmp + "/b:/data/");
    }

    private static void assertRefused(String why, String... specs) {
        MydockerException e = assertThrows(MydockerException.class, () -> Volume.parseAll(List.of(specs)));
        assertTrue(e.getMessage().startsWith("invalid volume '") && e.getMessage().contains(why), e.getMessage());
    }
}
