package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Volumes: a host directory seen inside the container, written from both sides, read-only with
 * :ro, and never lost, however the container ends.
 */
class VolumeIT extends ContainerTestBase {
    /** The host's directories, which the volumes bind. */
    @TempDir
    Path host;

    @Test
    void whatEitherSideWritesTheOtherReads() throws IOException {
        Path data = Files.createDirectory(host.resolve("data"));
        Files.writeString(data.resolve("from-host"), "hello from the host\n");
        Mydocker.assertSuccess("hello from the host\n", mydocker.run("run", "-v", data + ":/data", "busybox",
                "sh", "-c", "cat /data/from-host; echo hello from the container > /data/from-container"));
        assertEquals("hello from the container\n", Files.readString(data.resolve("from-container")));
    }

    @Test
    void readOnlyRefusesWrites() throws IOException {
        Path data = Files.createDirectory(host.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "hello\n");
        Mydocker.Result result = mydocker.run("run", "--volume", data + ":/data:ro", "busybox",
                "sh", "-c", "cat /data/a.txt; echo x > /data/b; rm /data/a.txt");
        assertEquals(1, result.exitCode(), result.toString());
        assertEquals("hello\n", result.out(), result.toString());
        assertEquals("sh: can't create /data/b: Read-only file system\nrm: can't remove '/data/a.txt': Read-only file system\n",
                result.err(), result.toString());
        assertEquals(List.of("a.txt"), list(data));
        Mydocker.assertSuccess("", mydocker.run("run", "-v", data + ":/data:rw", "busybox", "touch", "/data/b"));
        assertTrue(Files.exists(data.resolve("b")), ":rw writes");
    }

    @Test
    void twoContainersShareAVolume() throws Exception {
        Path shared = Files.createDirectory(host.resolve("shared"));
        Process first = mydocker.background("run", "-v", shared + ":/shared", "busybox", "sh", "-c",
                "echo first > /shared/first; while [ ! -e /shared/second ]; do sleep 0.1; done; cat /shared/second");
        Mydocker.Result second = mydocker.run("run", "-v", shared + ":/shared", "busybox", "sh", "-c",
                "while [ ! -e /shared/first ]; do sleep 0.1; done; cat /shared/first; echo second > /shared/second");
        Mydocker.assertSuccess("first\n", second);
        assertEquals(0, Mydocker.waitFor(first));
        assertEquals("second\n", new String(first.getInputStream().readAllBytes()));
    }

    @Test
    void missingDirectoriesAreMadeOnBothSidesAndTheImageStaysAsItWas() throws IOException {
        Path nested = host.resolve("a/b/c");
        Mydocker.assertSuccess("/x/y/z\n", mydocker.run("run", "-v", nested + ":/x/y/z", "busybox",
                "sh", "-c", "touch /x/y/z/file; ls -d /x/y/z"));
        assertTrue(Files.exists(nested.resolve("file")), "the host's directory was made, with its parents");
        assertFalse(Files.exists(Image.layer(root, Image.DEFAULT).resolve("x")), "the mount point is made in the container's layer");
    }

    @Test
    void aVolumeHidesTheImagesFilesBelowIt() throws IOException {
        Path etc = Files.createDirectory(host.resolve("etc"));
        Files.writeString(etc.resolve("mine"), "mine\n");
        Mydocker.assertSuccess("mine\n", mydocker.run("run", "-v", etc + ":/etc", "busybox", "ls", "/etc"));
        Mydocker.assertSuccess("root:x:0:0:root:/root:/bin/sh\n", mydocker.run("run", "busybox", "head", "-1", "/etc/passwd"));
    }

    @Test
    void mountsInsideTheVolumeStayInTheContainer() throws IOException {
        Path data = Files.createDirectory(host.resolve("data"));
        Mydocker.assertSuccess("tmpfs\n", mydocker.run("run", "-v", data + ":/data", "busybox", "sh", "-c",
                "mkdir /data/sub && mount -t tmpfs inside /data/sub && touch /data/sub/hidden && stat -f -c %T /data/sub"));
        assertEquals(List.of(), list(data.resolve("sub")), "the container's tmpfs did not reach the host");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "exit 3", "dd if=/dev/zero of=/dev/null bs=100M count=1"})
    void everyEndLeavesTheHostsFilesAndNoMount(String command) throws IOException {
        Map<String, String> files = hostFiles();
        mydocker.run("run", "-m", "32m", "-v", host.resolve("data") + ":/data", "-v", host.resolve("logs") + ":/data/logs:ro",
                "busybox", "sh", "-c", "ls -R /data > /dev/null; " + command);
        assertEquals(files, read(host), "every host file is still there, as it was");
    }

    @ParameterizedTest
    @CsvSource({"TERM, 143", "INT, 130", "HUP, 129"})
    void aSignalEndsTheContainerAndLeavesTheHostsFiles(String signal, int status) throws Exception {
        Map<String, String> files = hostFiles();
        Process container = mydocker.background("run", "-v", host.resolve("data") + ":/data", "busybox", "sh", "-c",
                "trap 'exit " + status + "' " + signal + "; touch /data/ready; sleep 100 & wait");
        for (int tries = 0; !Files.exists(host.resolve("data/ready")) && tries < 600; tries++) {
            Thread.sleep(100);
        }
        assertEquals(0, Mydocker.waitFor(new ProcessBuilder("kill", "-" + signal, Long.toString(container.pid())).start()));
        assertEquals(status, Mydocker.waitFor(container));
        Files.delete(host.resolve("data/ready"));
        assertEquals(files, read(host));
    }

    @Test
    void aFailureHalfWayThroughTheVolumesLeavesNothing() throws IOException {
        // The second volume's place is a file in the image: init fails after the first is mounted.
        Map<String, String> files = hostFiles();
        Mydocker.Result result = mydocker.run("run", "-v", host.resolve("data") + ":/data",
                "-v", host.resolve("logs") + ":/etc/passwd", "busybox", "true");
        CliIT.assertOneLineError(125, "the image's /etc/passwd is not a directory", result);
        assertEquals(files, read(host));
    }

    @Test
    void aBusyContainerIsNotDeletedAndNoHostFileIsLost() throws Exception {
        // A process of the host sits in the container's root: the overlay cannot be unmounted, so
        // mydocker deletes nothing, says what to do, and fails.
        Map<String, String> files = hostFiles();
        Process container = mydocker.background("run", "-v", host.resolve("data") + ":/data", "busybox", "sh", "-c",
                "touch /data/ready; while [ ! -e /data/done ]; do sleep 0.1; done");
        for (int tries = 0; !Files.exists(host.resolve("data/ready")) && tries < 600; tries++) {
            Thread.sleep(100);
        }
        Path merged;
        try (Stream<Path> containers = Files.list(root.resolve(Container.CONTAINERS))) {
            merged = containers.filter(Files::isDirectory).findFirst().orElseThrow().resolve("merged");
        }
        Process busy = new ProcessBuilder("sleep", "100").directory(merged.toFile()).start();
        try {
            Files.createFile(host.resolve("data/done"));
            assertEquals(125, Mydocker.waitFor(container));
            String error = new String(container.getErrorStream().readAllBytes());
            assertTrue(error.startsWith("mydocker: cannot unmount " + merged + ": Device or resource busy;")
                    && error.contains("then unmount " + merged), error);
            assertTrue(Files.isDirectory(merged.resolveSibling("upper")), "the container's layer is kept");
        } finally {
            busy.destroyForcibly().waitFor();
            Files.delete(host.resolve("data/ready"));
            Files.delete(host.resolve("data/done"));
            LibC.umount2(merged.toString(), 0);
            Tar.deleteTree(merged.getParent());
        }
        assertEquals(files, read(host));
    }

    @ParameterizedTest
    @ValueSource(strings = {"data:/data", "/data", "/a:/b:/c:/d", "/a:data", "/a:/b:rx", "/a:/", "/a:/../.."})
    void aBadVolumeIsRefusedBeforeAnythingIsMade(String spec) throws IOException {
        String volume = spec.startsWith("/") ? host + spec : spec;
        Mydocker.Result result = mydocker.run("run", "-v", volume, "busybox", "true");
        CliIT.assertOneLineError(125, "invalid volume '" + volume + "'", result);
        assertEquals(List.of(), list(host), "no host directory is made");
        assertEquals(List.of(), list(root), "nothing in the state root");
    }

    @Test
    void aLinkInTheImageDoesNotLeadAVolumeToTheHost() throws IOException {
        // The image's /data leads to a directory of the host: making /data/sub there, before
        // pivot_root, would make it on the host.
        Path decoy = Files.createDirectory(host.resolve("decoy"));
        Files.createDirectories(root.resolve("images"));
        try (OutputStream file = Files.newOutputStream(root.resolve("images/linked.tar"));
                TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            TarArchiveEntry busybox = new TarArchiveEntry("bin/busybox");
            busybox.setMode(0100755);
            busybox.setSize(Files.size(BusyboxImage.BUSYBOX));
            out.putArchiveEntry(busybox);
            Files.copy(BusyboxImage.BUSYBOX, out);
            out.closeArchiveEntry();
            TarArchiveEntry link = new TarArchiveEntry("data", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName(decoy.toString());
            out.putArchiveEntry(link);
            out.closeArchiveEntry();
        }
        CliIT.assertOneLineError(125, "the image's /data is not a directory", mydocker.run("run", "-v",
                host.resolve("volume") + ":/data/sub", "linked", "/bin/busybox", "true"));
        assertEquals(List.of(), list(decoy), "nothing was made on the host through the image's link");
    }

    @Test
    void aFileIsNoVolume() throws IOException {
        Path file = Files.writeString(host.resolve("file"), "a file\n");
        for (Path volume : List.of(file, file.resolve("sub"))) {
            CliIT.assertOneLineError(125, file + " is not a directory", mydocker.run("run", "-v", volume + ":/data", "busybox", "true"));
        }
        assertEquals(List.of("file"), list(host));
    }

    @Test
    void twoVolumesAtOnePathAreRefused() throws IOException {
        CliIT.assertOneLineError(125, "another volume is at /data", mydocker.run("run", "-v", host.resolve("a") + ":/data",
                "-v", host.resolve("b") + ":/data/", "busybox", "true"));
        assertEquals(List.of(), list(host));
    }

    /** Files in the host's directories data and logs, for the containers to mount. */
    private Map<String, String> hostFiles() throws IOException {
        Files.createDirectories(host.resolve("data/deep/er"));
        Files.createDirectories(host.resolve("data/logs")); // where the second volume is mounted
        Files.createDirectories(host.resolve("logs"));
        Files.writeString(host.resolve("data/deep/er/precious"), "precious\n");
        Files.writeString(host.resolve("logs/log"), "a log\n");
        return read(host);
    }

    /** Every file below dir and what it holds, to compare before and after. */
    private static Map<String, String> read(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path path : all.toList()) {
                files.put(dir.relativize(path).toString(), Files.isRegularFile(path) ? Files.readString(path) : "directory");
            }
        }
        return files;
    }

    private static List<String> list(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> all = Files.list(dir)) {
                all.forEach(path -> names.add(path.getFileName().toString()));
            }
        }
        names.sort(null);
        return names;
    }
}
