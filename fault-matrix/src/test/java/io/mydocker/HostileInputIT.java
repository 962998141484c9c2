package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile input: names and paths that are empty, too long, not UTF-8, or hold '/', '..' or a
 * newline, for everything a user names, and image tars that HostileImageIT (step 10) does not
 * try: an entry of an enormous size, a symbolic link loop, a path too long for the kernel. Each is
 * refused with one line and exit 125, and nothing is written outside the state root: decoys
 * wait where an escape would land, next to the state root and in a directory of the host.
 */
class HostileInputIT extends FaultCase {
    private static final FileTime DECOY_TIME = FileTime.from(Instant.parse("2010-10-10T10:10:10Z"));
    /** Stands for bytes that are not UTF-8, which a Java string cannot hold: see raw(). */
    private static final String RAW = "@raw@";
    private static final String SUBNET = "10.233.0.0/24";

    /** The host's files that no refused input may touch: the decoys, and whatever else is in host. */
    private Map<String, String> hostBefore;

    @BeforeEach
    void decoys() throws IOException {
        // Where "../../HOST/decoy" and "HOST/decoy" lead from images/NAME.tar or networks/NAME.json.
        Files.createDirectories(host.resolve("decoy"));
        for (String file : List.of("decoy/file", "decoy.tar", "decoy.json", "new")) {
            Files.writeString(host.resolve(file), "decoy\n");
        }
        Files.delete(host.resolve("new")); // where a volume's directory would be made
        try (Stream<Path> all = Files.walk(host)) {
            for (Path path : all.filter(p -> !p.equals(netns.file)).toList()) {
                Files.setLastModifiedTime(path, DECOY_TIME);
            }
        }
        hostBefore = hostFiles();
    }

    /** Every path under host but the volume and the network namespace's file, with its size and time. */
    private Map<String, String> hostFiles() throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(host)) {
            for (Path path : all.filter(p -> !p.startsWith(volume) && !p.equals(netns.file)).toList()) {
                files.put(host.relativize(path).toString(), Files.size(path) + " "
                        + Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS));
            }
        }
        return files;
    }

    /**
     * The names to try: empty, '/', '..', escapes to the decoys (relative and absolute), a
     * newline, too long, and not UTF-8.
     */
    private List<String> badNames() {
        return List.of("", "a/b", "../decoy", "../../" + host.getFileName() + "/decoy", host + "/decoy", "x\ny",
                "a".repeat(300), "bad" + RAW);
    }

    /**
     * Runs mydocker with args, where RAW in an argument stands for bytes that are not UTF-8:
     * a shell puts them there, since Java passes arguments as UTF-8.
     */
    private Mydocker.Result raw(String... args) {
        List<String> wrapper = new ArrayList<>(netns.nsenter());
        wrapper.addAll(List.of("sh", "-c", "raw=$(printf 'x\\377\\376y'); for a; do shift; case $a in *" + RAW + "*)"
                + " a=\"${a%%" + RAW + "*}$raw${a#*" + RAW + "}\";; esac; set -- \"$@\" \"$a\"; done; exec \"$@\"", "sh"));
        return mydocker.runUnder(wrapper, args);
    }

    /** Asserts a refusal, exit 125 and one line that mentions what is wrong, that left the host's files alone. */
    private void assertRefused(Mydocker.Result result, String mentions) throws IOException {
        CliIT.assertOneLineError(125, mentions, result);
        assertEquals(hostBefore, hostFiles(), "a decoy or the host's directory changed: " + result);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--name", "--hostname", "run IMAGE", "commit CONTAINER IMAGE", "network create",
        "network rm"})
    void aBadNameIsRefused(String where) throws IOException {
        if (where.startsWith("commit")) {
            assertEquals(0, mydocker.run("run", "--name", "c", "busybox", "true").exitCode());
        }
        for (String name : badNames()) {
            List<String> args = switch (where) {
                case "--name", "--hostname" -> List.of("run", where, name, "busybox", "true");
                case "run IMAGE" -> List.of("run", name, "true");
                case "commit CONTAINER IMAGE" -> List.of("commit", "c", name);
                case "network create" -> List.of("network", "create", "--subnet", SUBNET, name);
                default -> List.of("network", "rm", name);
            };
            Mydocker.Result result = raw(args.toArray(new String[0]));
            switch (where) {
                case "--name" -> assertRefused(result, "invalid container name");
                case "--hostname" -> assertRefused(result, "invalid hostname");
                case "run IMAGE", "commit CONTAINER IMAGE" -> assertRefused(result, "invalid image name");
                default -> assertRefused(result, "invalid network name");
            }
        }
        assertEquals(where.startsWith("commit") ? 1 : 0, mydocker.run("ps", "-aq").out().lines().count(),
                "no container is left of the refused runs");
    }

    /** A reference to a container that is no name nor ID finds none, not even the one there is. */
    @Test
    void aBadContainerReferenceFindsNone() throws IOException {
        assertEquals(0, mydocker.run("run", "-d", "--name", "c", "busybox", "sleep", "600").exitCode());
        for (String command : List.of("rm -f", "stop", "logs", "inspect", "exec")) {
            for (String reference : List.of("", "../decoy", "x\ny", "bad" + RAW)) {
                List<String> args = new ArrayList<>(List.of(command.split(" ")));
                args.add(reference);
                if (command.equals("exec")) {
                    args.add("true");
                }
                assertRefused(raw(args.toArray(new String[0])), "no such container");
            }
        }
        assertEquals(1, mydocker.run("ps", "-q").out().lines().count(), "the container runs on");
    }

    /**
     * -v with a path that is empty, relative, climbs out of the container's root with '..', has a
     * newline or bytes not UTF-8, or is too long. (Other '..' are normalized away, as docker
     * does: VolumeTest.)
     */
    @Test
    void aBadVolumeIsRefusedAndMakesNoDirectory() throws IOException {
        for (String spec : List.of("", ":", "::", ":/data", "HOST/new:", "rel:/data", "HOST/new:rel", "HOST/new:/data:",
                "HOST/new:/data/../..", "HOST/new\nline:/data", "HOST/new:/da\nta",
                "HOST/new" + RAW + ":/data", "HOST/new/LONGNAME:/data", "HOST/LONGPATH:/data")) {
            String volume = spec.replace("HOST", host.toString()).replace("LONGNAME", "a".repeat(300))
                    .replace("LONGPATH", "a/".repeat(2500));
            assertRefused(raw("run", "-v", volume, "busybox", "true"), "invalid volume");
        }
    }

    @Test
    void aBadEnvironmentVariableIsRefused() throws IOException {
        for (String variable : List.of("", "=x", "a b=x", "A\nB=x", "1A=x", "A/B=x", "A" + RAW + "=x")) {
            assertRefused(raw("run", "-e", variable, "busybox", "true"), "invalid environment variable");
        }
    }

    /**
     * Image tars: an entry that claims a terabyte, cut short; a symbolic link loop where init
     * mounts /proc; a path longer than the kernel takes; a name longer than it takes. Each is
     * refused, and leaves no layer, whole or half (FaultCase finds any file in layers/).
     */
    @ParameterizedTest
    @ValueSource(strings = {"enormous", "loop", "long-path", "long-name"})
    void aHostileImageIsRefusedAndLeavesNoLayer(String image) throws IOException {
        Files.createDirectories(root.resolve(Image.IMAGES));
        OutputStream file = Files.newOutputStream(root.resolve(Image.IMAGES).resolve(image + ".tar"));
        TarArchiveOutputStream out = new TarArchiveOutputStream(file);
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        TarArchiveEntry busybox = new TarArchiveEntry("bin/busybox");
        busybox.setMode(0100755);
        busybox.setSize(Files.size(BusyboxImage.BUSYBOX));
        out.putArchiveEntry(busybox);
        Files.copy(BusyboxImage.BUSYBOX, out);
        out.closeArchiveEntry();
        switch (image) {
            case "enormous" -> {
                // A terabyte claimed, a megabyte there, then the tar ends.
                TarArchiveEntry big = new TarArchiveEntry("big");
                big.setSize(1L << 40);
                out.putArchiveEntry(big);
                out.write(new byte[1 << 20]);
                out.flush();
                file.close();
            }
            case "loop" -> {
                link(out, "proc", "proc2");
                link(out, "proc2", "proc");
                out.close();
            }
            default -> {
                TarArchiveEntry entry = new TarArchiveEntry(image.equals("long-path") ? "d/".repeat(2100) + "f"
                        : "a".repeat(300));
                out.putArchiveEntry(entry);
                out.closeArchiveEntry();
                out.close();
            }
        }
        Mydocker.Result result = raw("run", image, "/bin/busybox", "true");
        assertRefused(result, image.equals("loop") ? "the image's /proc is not a directory" : "cannot unpack the image");
        if (!image.equals("loop")) {
            try (Stream<Path> layers = Files.list(root.resolve(Image.LAYERS))) {
                // The lock file through which unpacks take turns stays.
                assertEquals(List.of(), layers.filter(layer -> !layer.getFileName().toString().equals(Tar.LOCK)).toList(),
                        "no layer, whole or half");
            }
        }
    }

    private static void link(TarArchiveOutputStream out, String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        entry.setLinkName(target);
        out.putArchiveEntry(entry);
        out.closeArchiveEntry();
    }
}
