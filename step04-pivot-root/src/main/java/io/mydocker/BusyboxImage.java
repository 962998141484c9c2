package io.mydocker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The default image, busybox, built from the host's static busybox (Debian and Ubuntu's
 * busybox-static package): one binary that is sh, ls, ps and some 270 other programs, chosen by
 * the name it is called by. The image is that binary, a symbolic link to it for each program,
 * and the few directories and files that programs expect. So `run busybox` works on a fresh
 * machine without downloading anything.
 */
final class BusyboxImage {
    static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final List<String> DIRECTORIES = List.of(
            "bin", "sbin", "usr/bin", "usr/sbin", "dev", "etc", "proc", "root", "sys", "tmp", "var");

    private BusyboxImage() {
    }

    /**
     * Writes the image of busybox (the host's BUSYBOX; a test passes another) to tar, through a
     * temporary file, so that it is whole or not there.
     */
    // tag::write[]
    static void write(Path busybox, Path tar) {
        checkStatic(busybox, tar);
        Path tmp = tar.resolveSibling("." + tar.getFileName() + "-" + ContainerId.random());
        try (OutputStream file = Files.newOutputStream(tmp);
                TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String dir : DIRECTORIES) {
                TarArchiveEntry entry = new TarArchiveEntry(dir + "/");
                entry.setMode(dir.equals("tmp") ? 01777 : 0755);
                out.putArchiveEntry(entry);
                out.closeArchiveEntry();
            }
            TarArchiveEntry binary = new TarArchiveEntry("bin/busybox");
            binary.setMode(0755);
            binary.setSize(Files.size(busybox));
            out.putArchiveEntry(binary);
            Files.copy(busybox, out);
            out.closeArchiveEntry();
            for (String applet : applets(busybox)) {
                if (!applet.equals("bin/busybox")) {
                    TarArchiveEntry link = new TarArchiveEntry(applet, TarArchiveEntry.LF_SYMLINK);
                    link.setLinkName("/bin/busybox");
                    out.putArchiveEntry(link);
                    out.closeArchiveEntry();
                }
            }
            file(out, "etc/passwd",
                    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
            file(out, "etc/group", "root:x:0:\nnobody:x:65534:\n");
            file(out, "etc/hostname", "busybox\n");
            out.finish();
        } catch (IOException e) {
            delete(tmp);
            throw new MydockerException("cannot write the busybox image " + tar + ": " + e.getMessage());
        }
        try {
            Files.move(tmp, tar, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            delete(tmp);
            throw new MydockerException("cannot write the busybox image " + tar + ": " + e.getMessage());
        }
    }
    // end::write[]

    private static void file(TarArchiveOutputStream out, String name, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(0644);
        entry.setSize(bytes.length);
        out.putArchiveEntry(entry);
        out.write(bytes);
        out.closeArchiveEntry();
    }

    /** Where each program lives, as busybox lists them: "bin/sh", "usr/bin/wget", ... */
    private static List<String> applets(Path busybox) throws IOException {
        Process process = new ProcessBuilder(busybox.toString(), "--list-full")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (InputStream in = process.getInputStream()) {
            List<String> applets = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            if (process.waitFor() != 0 || applets.isEmpty()) {
                throw new IOException(busybox + " --list-full failed");
            }
            return applets;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }

    /**
     * A busybox that needs shared libraries cannot run in an image that has none: refuse it. A
     * dynamically linked ELF file names its loader in a PT_INTERP program header (elf(5)).
     */
    private static void checkStatic(Path busybox, Path tar) {
        String fix = "install busybox-static (apt-get install busybox-static), or put a busybox image"
                + " tar, e.g. from docker export, at " + tar;
        if (!Files.isExecutable(busybox)) {
            throw new MydockerException("the busybox image is built from " + busybox + ", which is missing; " + fix);
        }
        try (FileChannel elf = FileChannel.open(busybox)) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            elf.read(header, 0);
            long programHeaders = header.getLong(0x20);
            int size = Short.toUnsignedInt(header.getShort(0x36));
            int count = Short.toUnsignedInt(header.getShort(0x38));
            for (int i = 0; i < count; i++) {
                ByteBuffer type = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                elf.read(type, programHeaders + (long) i * size);
                if (type.getInt(0) == 3) { // PT_INTERP
                    throw new MydockerException("the busybox image is built from " + busybox
                            + ", which is dynamically linked; " + fix);
                }
            }
        } catch (IOException e) {
            throw new MydockerException("cannot read " + busybox + ": " + e.getMessage() + "; " + fix);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("mydocker: warning: cannot delete " + file + ": " + e.getMessage());
        }
    }
}
