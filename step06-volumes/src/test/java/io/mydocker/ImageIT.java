package io.mydocker;

import static io.mydocker.Mydocker.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;

/** Images: the busybox default, the image's layer under each container's own, bad images. */
class ImageIT extends ContainerTestBase {
    @Test
    void theBusyboxImageIsBuiltOnAFreshMachine() {
        assertSuccess("busybox\n/bin/busybox\n", mydocker.run("run", "busybox", "sh", "-c", "cat /etc/hostname; ls /bin/busybox"));
        assertTrue(Files.isRegularFile(root.resolve("images/busybox.tar")));
    }

    @Test
    void theCommandDefaultsToSh() {
        assertSuccess("sh\n", mydocker.runWithInput("echo $0\n", "run", "-i", "busybox"));
    }

    @Test
    void whatTheContainerWritesStaysInTheContainer() {
        // Each container writes into a layer of its own, removed when it ends: the next
        // container of the image starts from the image as it was.
        assertSuccess("", mydocker.run("run", "busybox", "sh", "-c", "echo hello > /written; rm /etc/group"));
        assertFalse(Files.exists(Image.layer(root, Image.DEFAULT).resolve("written")));
        assertTrue(Files.exists(Image.layer(root, Image.DEFAULT).resolve("etc/group")));
        Mydocker.Result result = mydocker.run("run", "busybox", "sh", "-c", "ls /written; ls /etc/group");
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals("/etc/group\n", result.out(), result.toString());
        assertEquals("ls: /written: No such file or directory\n", result.err(), result.toString());
    }

    @Test
    void anUnknownImageListsTheImagesThereAre() {
        assertSuccess("", mydocker.run("run", "busybox", "true"));
        Mydocker.Result result = mydocker.run("run", "ubuntu", "true");
        CliIT.assertOneLineError(125, "'ubuntu'", result);
        assertTrue(result.err().contains("busybox") && result.err().contains("docker export"), result.toString());
    }

    @Test
    void aCorruptImageIsRefusedAndLeavesNothing() throws IOException {
        Files.createDirectories(root.resolve("images"));
        Files.writeString(root.resolve("images/broken.tar"), "this is not a tar file, but it is long enough: "
                .repeat(20));
        CliIT.assertOneLineError(125, "broken.tar", mydocker.run("run", "broken", "true"));
        assertEquals(List.of("broken.tar"), images());
        assertEquals(List.of(), layers());
    }

    @Test
    void anImageThatWritesOutsideItsDirectoryIsRefused() throws IOException {
        Files.createDirectories(root.resolve("images"));
        try (OutputStream file = Files.newOutputStream(root.resolve("images/evil.tar"));
                TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            for (String name : new String[] {"bin/", "../../escaped"}) {
                TarArchiveEntry entry = new TarArchiveEntry(name, true);
                out.putArchiveEntry(entry);
                out.closeArchiveEntry();
            }
        }
        CliIT.assertOneLineError(125, "../../escaped", mydocker.run("run", "evil", "true"));
        assertEquals(List.of("evil.tar"), images());
        assertEquals(List.of(), layers());
        assertFalse(Files.exists(root.resolve("escaped")));
    }

    @Test
    void anImageWhoseProcIsAFileFailsInInitAndLeavesNothing() throws IOException {
        // init cannot mount the container's /proc on a file: it fails before it is ready, says
        // why, and mydocker cleans up as it does after any run (see ContainerTestBase).
        Files.createDirectories(root.resolve("images"));
        try (OutputStream file = Files.newOutputStream(root.resolve("images/flat.tar"));
                TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            byte[] text = "a file, not a directory\n".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry entry = new TarArchiveEntry("proc");
            entry.setSize(text.length);
            out.putArchiveEntry(entry);
            out.write(text);
            out.closeArchiveEntry();
        }
        CliIT.assertOneLineError(125, "proc", mydocker.run("run", "flat", "/bin/true"));
    }

    @Test
    void aStateRootThatCannotBeCreatedIsAnError() {
        Mydocker elsewhere = new Mydocker(root.resolve("no/such/dir"));
        CliIT.assertOneLineError(125, "state root", elsewhere.run("run", "busybox", "true"));
        assertFalse(Files.exists(root.resolve("no")));
    }

    @Test
    void aStateRootThatIsAFileIsAnError() throws IOException {
        Mydocker elsewhere = new Mydocker(Files.createFile(root.resolve("file")));
        CliIT.assertOneLineError(125, "state root", elsewhere.run("run", "busybox", "true"));
    }

    private List<String> images() throws IOException {
        return list(root.resolve("images"));
    }

    private List<String> layers() throws IOException {
        return list(root.resolve("layers"));
    }

    /** The files in dir, but the lock file through which unpacks take turns, which stays. */
    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> !name.equals(Tar.LOCK))
                    .sorted()
                    .toList();
        }
    }
}
