package io.mydocker;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The image "perl", for tests that need a program busybox does not have: the host's
 * /usr/bin/perl with the shared libraries that ldd(1) says it loads, and nothing else.
 */
final class PerlImage {
    private static final Path PERL = Path.of("/usr/bin/perl");

    private PerlImage() {
    }

    /** Writes ROOT/images/perl.tar. */
    static void write(Path root) throws IOException, InterruptedException {
        Set<String> files = new TreeSet<>(Set.of(PERL.toString()));
        Process ldd = new ProcessBuilder("ldd", PERL.toString()).redirectErrorStream(true).start();
        String libraries = new String(ldd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (ldd.waitFor() != 0) {
            throw new IOException("ldd " + PERL + " failed: " + libraries);
        }
        // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
        Matcher path = Pattern.compile("(/\\S+) \\(0x").matcher(libraries);
        while (path.find()) {
            files.add(path.group(1));
        }
        Files.createDirectories(root.resolve(Image.IMAGES));
        Set<String> directories = new TreeSet<>();
        try (OutputStream file = Files.newOutputStream(root.resolve(Image.IMAGES).resolve("perl.tar"));
                TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String name : files) {
                // The image has real directories where the host may have links (/lib -> usr/lib).
                for (Path dir = Path.of(name).getParent(); !dir.toString().equals("/"); dir = dir.getParent()) {
                    directories.add(dir.toString().substring(1) + "/");
                }
            }
            for (String dir : directories) {
                TarArchiveEntry entry = new TarArchiveEntry(dir);
                entry.setMode(0755);
                out.putArchiveEntry(entry);
                out.closeArchiveEntry();
            }
            for (String name : files) {
                TarArchiveEntry entry = new TarArchiveEntry(name.substring(1));
                entry.setMode(0755);
                entry.setSize(Files.size(Path.of(name)));
                out.putArchiveEntry(entry);
                Files.copy(Path.of(name), out);
                out.closeArchiveEntry();
            }
        }
    }
}
