package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * commit: an image made of a running container's files, with its changes and its deletions,
 * without what is not the container's own (/proc, /dev, volumes), written whole or not at all,
 * and without any host file, whatever the container does to its files meanwhile.
 */
class CommitIT extends ContainerTestBase {
    /** The host's directories that the containers of these tests get as /out, one each. */
    @TempDir
    Path host;

    /** A container that has done its script, and waits for the host's word to go on. */
    record Running(String id, Path out, Process process) {
        /** Lets the container go on to its end, and returns what it printed. */
        String finish() throws Exception {
            Files.createFile(out.resolve("done"));
            assertEquals(0, Mydocker.waitFor(process));
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Starts a container of image that runs script, tells its hostname, which is its ID, in
     * /out/id, waits until the host creates /out/done, and then runs then.
     */
    private Running start(Mydocker mydocker, String image, String script, String then) throws Exception {
        Path out = Files.createTempDirectory(host, "out");
        Process process = mydocker.background("run", "-v", out + ":/out", image, "sh", "-c", script
                + "; hostname > /out/id.tmp && mv /out/id.tmp /out/id; while [ ! -e /out/done ]; do sleep 0.1; done; " + then);
        return new Running(awaitId(out, process), out, process);
    }

    /** Waits for the container to write its ID into out/id, and returns it. */
    private static String awaitId(Path out, Process process) throws Exception {
        for (int tries = 0; !Files.exists(out.resolve("id")) && tries < 600; tries++) {
            assertTrue(process.isAlive(), "the container ended early");
            Thread.sleep(100);
        }
        return Files.readString(out.resolve("id")).trim();
    }

    @Test
    void aCommittedImageHasTheContainersChangesAndDeletions() throws Exception {
        Running box = start(mydocker, "busybox", "echo hi > /greeting; rm /bin/vi; mkdir /app; ln /greeting /app/again", "true");
        assertTrue(ContainerId.isOne(box.id()), "the hostname is the container's ID: " + box.id());
        Mydocker.Result commit = mydocker.run("commit", box.id(), "mybox");
        box.finish();
        Mydocker.assertSuccess("sha256:" + Image.id(root.resolve("images/mybox.tar")) + "\n", commit);
        Mydocker.assertSuccess("hi\nhi\ngone\n2\n", mydocker.run("run", "mybox", "sh", "-c",
                "cat /greeting /app/again; test -e /bin/vi || echo gone; stat -c %h /greeting"));
        Mydocker.Result images = mydocker.run("images");
        assertEquals(0, images.exitCode(), images.toString());
        List<String> lines = images.out().lines().toList();
        assertEquals(List.of("NAME", "IMAGE", "ID", "CREATED", "SIZE"), List.of(lines.get(0).split(" +")));
        assertTrue(lines.get(2).matches("mybox +" + Image.id(root.resolve("images/mybox.tar")).substring(0, 12)
                + " +(Less than a second|1 second|[0-9]+ seconds) ago +[0-9.]+MB"), images.out());
    }

    @Test
    void theImageHoldsNoWhiteoutNoProcNoDevAndNoVolume() throws Exception {
        Running box = start(mydocker, "busybox", "rm /etc/group; echo x > /tmp/kept; echo mine > /out/volume-file", "true");
        Mydocker.Result commit = mydocker.run("commit", box.id(), "clean");
        box.finish();
        assertEquals(0, commit.exitCode(), commit.toString());
        List<String> names = new ArrayList<>();
        try (InputStream file = Files.newInputStream(root.resolve("images/clean.tar"));
                TarArchiveInputStream tar = new TarArchiveInputStream(file)) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                assertFalse(entry.isCharacterDevice() || entry.isBlockDevice(), "a device in the image: " + entry.getName());
                names.add(entry.getName());
            }
        }
        assertTrue(names.containsAll(List.of("tmp/kept", "bin/busybox", "proc/", "dev/", "out/")), names.toString());
        assertFalse(names.contains("etc/group"), "the deleted file is deleted: " + names);
        assertEquals(List.of(), names.stream().filter(name -> name.matches("(proc|dev|out)/.+")).toList(),
                "the container's /proc and /dev, and the volume, are left out");
    }

    @Test
    void replacingAnImageLeavesItsRunningContainersAloneAndTheLayersFollowTheContent() throws Exception {
        Running one = start(mydocker, "busybox", "echo one > /version", "true");
        assertEquals(0, mydocker.run("commit", one.id(), "app").exitCode());
        one.finish();
        String oldId = Image.id(root.resolve("images/app.tar"));
        // A container runs from the first app while the name goes to new content.
        Running old = start(mydocker, "app", "true", "cat /version");
        Running two = start(mydocker, "busybox", "echo two > /version", "true");
        assertEquals(0, mydocker.run("commit", two.id(), "app").exitCode());
        two.finish();
        String newId = Image.id(root.resolve("images/app.tar"));
        assertNotEquals(oldId, newId);
        assertEquals("one\n", old.finish(), "the running container keeps its files");
        Mydocker.assertSuccess("two\n", mydocker.run("run", "app", "cat", "/version"));
        assertTrue(Files.isDirectory(root.resolve("layers").resolve(oldId)) && Files.isDirectory(root.resolve("layers").resolve(newId)),
                "a layer for each content");
    }

    @Test
    void badInputIsRefusedAndNoImageIsWritten() throws Exception {
        Running box = start(mydocker, "busybox", "true", "true");
        for (String[] bad : new String[][] {{"0123456789ab", "img"}, {"../../../etc", "img"}, {box.id(), "Bad/Name"},
                {box.id(), "../escaped"}}) {
            Mydocker.Result result = mydocker.run("commit", bad[0], bad[1]);
            CliIT.assertOneLineError(125, "'" + (bad[1].equals("img") ? bad[0] : bad[1]) + "'", result);
        }
        box.finish();
        assertEquals(List.of("busybox.tar"), list(root.resolve("images")));
        CliIT.assertOneLineError(125, "IMAGE", mydocker.run("commit", box.id()));
    }

    @Test
    void aFullDiskFailsTheCommitAndLeavesNoFile() throws Exception {
        // A state root on a small tmpfs: the container's big file fits, but not twice.
        Path small = Files.createTempDirectory(host, "small");
        assertEquals(0, Mydocker.waitFor(new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "small", small.toString())
                .inheritIO().start()));
        Mydocker tiny = new Mydocker(small.resolve("root"));
        try {
            Running box = start(tiny, "busybox", "dd if=/dev/zero of=/big bs=1M count=8 2>/dev/null", "true");
            Mydocker.Result commit = tiny.run("commit", box.id(), "big");
            box.finish();
            CliIT.assertOneLineError(125, "No space left on device", commit);
            assertEquals(List.of("busybox.tar"), list(small.resolve("root/images")), "no image and no temporary file");
        } finally {
            tiny.stopBackground();
            assertEquals(0, Mydocker.waitFor(new ProcessBuilder("umount", small.toString()).inheritIO().start()));
        }
    }

    @Test
    void aContainerThatSwapsItsFilesForLinksToTheHostsCannotGetAHostFileIntoTheImage() throws Exception {
        // Over and over, each swap at once (renameat2(2) with RENAME_EXCHANGE), the container
        // swaps files and directories of its own for links to a host file and its directory:
        // links that lead nowhere in the container, but that a commit which followed them on the
        // host would take the host's file through.
        String secret = "the host's secret " + UUID.randomUUID();
        Path decoys = Files.createTempDirectory(host, "decoys");
        Path decoy = Files.writeString(decoys.resolve("f"), secret);
        PerlImage.write(root);
        long renameat2 = System.getProperty("os.arch").equals("aarch64") ? 276 : 316;
        String script = """
                my ($decoy, $decoys, $length, $renameat2) = @ARGV;
                mkdir "/r";
                for my $i (0 .. 9) {
                    mkdir "/r/dir$i";
                    for my $name ("/r/file$i", "/r/dir$i/f") {
                        open(my $file, ">", $name) or die "$name: $!";
                        print $file "x" x $length; # as long as the secret: the header's size fits it
                        close($file);
                    }
                    symlink($decoy, "/r/link$i") and symlink($decoys, "/r/dirlink$i") or die "symlink: $!";
                }
                open(my $hostname, "<", "/proc/sys/kernel/hostname") or die "hostname: $!";
                my $name = <$hostname>;
                open(my $id, ">", "/out/id.tmp") or die "id: $!";
                print $id $name;
                close($id);
                rename("/out/id.tmp", "/out/id") or die "id: $!";
                until (-e "/out/done") {
                    for my $i (0 .. 9) {
                        syscall($renameat2, -100, "/r/file$i", -100, "/r/link$i", 2) == 0
                            and syscall($renameat2, -100, "/r/dir$i", -100, "/r/dirlink$i", 2) == 0
                            or die "renameat2: $!";
                    }
                }
                """;
        Path out = Files.createTempDirectory(host, "out");
        Process process = mydocker.background("run", "-v", out + ":/out", "perl", "/usr/bin/perl", "-e", script,
                decoy.toString(), decoys.toString(), Integer.toString(secret.length()), Long.toString(renameat2));
        Running box = new Running(awaitId(out, process), out, process);
        int commits = 0;
        for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end || commits < 3; commits++) {
            Mydocker.Result commit = mydocker.run("commit", box.id(), "raced");
            assertEquals(0, commit.exitCode(), commit.toString());
            assertFalse(new String(Files.readAllBytes(root.resolve("images/raced.tar")), StandardCharsets.ISO_8859_1)
                    .contains(secret), "the host's file is in the image, after " + commits + " commits without it");
        }
        assertEquals("", box.finish());
        assertEquals(secret, Files.readString(decoy));
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
