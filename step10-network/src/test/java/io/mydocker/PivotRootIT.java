package io.mydocker;

import static io.mydocker.Mydocker.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The image's file system is the container's root, and nothing of the host's is reachable. */
class PivotRootIT extends ContainerTestBase {
    static final Path ESCAPE = Path.of("src/main/resources/io/mydocker/chroot-escape.sh");

    @Test
    void theHostsFilesAreOutOfReach() throws IOException {
        Path marker = Files.writeString(root.resolve("host-marker"), "host");
        Path jar = Path.of("target/mydocker.jar").toAbsolutePath();
        Mydocker.Result result = mydocker.run("run", "busybox", "sh", "-c",
                "for f in " + marker + " " + jar + " /.pivot_root /bin/bash /usr/bin/java; do test -e $f && echo $f; done;"
                        + " cut -d' ' -f5 /proc/self/mountinfo");
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals(List.of("/", "/proc", "/dev", "/dev/pts", "/dev/shm"), result.out().lines().toList(),
                "only the container's own mounts, no host path: " + result);
        assertEquals("", result.err(), result.toString());
    }

    @Test
    void theHostsProcIsOutOfReach() {
        // The container's /proc is its own: PID 1's root is the image, and our pid is unknown.
        Mydocker.Result result = mydocker.run("run", "busybox", "sh", "-c", "ls /proc/1/root/bin/busybox;"
                + " if test -e /proc/" + ProcessHandle.current().pid() + "; then echo host-pid-visible; fi");
        assertSuccess("/proc/1/root/bin/busybox\n", result);
    }

    @Test
    void devHoldsTheUsualDevices() {
        Mydocker.Result result = mydocker.run("run", "busybox", "sh", "-c",
                "head -c 4 /dev/urandom | wc -c; head -c 3 /dev/zero | od -An -tx1; echo lost > /dev/null && echo null;"
                        + " echo x > /dev/full || echo full; test -c /dev/null && test -c /dev/random && test -c /dev/tty"
                        + " && echo nodes;"
                        + " for l in fd stdin stdout stderr ptmx; do readlink /dev/$l; done;"
                        + " test -d /dev/pts && test -w /dev/shm && echo dirs");
        assertEquals("4\n 00 00 00\nnull\nfull\nnodes\n/proc/self/fd\n/proc/self/fd/0\n/proc/self/fd/1\n"
                + "/proc/self/fd/2\npts/ptmx\ndirs\n", result.out(), result.toString());
        assertEquals(0, result.exitCode(), result.toString());
    }

    @Test
    void withDashTTheConsoleIsTheContainersOwnTerminal() throws Exception {
        try (Terminal terminal = new Terminal(List.of(Terminal.launcher(), "--root", root.toString(), "run", "-t",
                "busybox", "sh", "-c", "stat -c %t:%T /dev/console; stat -L -c %t:%T /proc/self/fd/0; tty"), 24, 80)) {
            assertEquals(0, terminal.waitFor(), terminal.screen());
            List<String> lines = terminal.screen().lines().toList();
            assertEquals(3, lines.size(), terminal.screen());
            assertEquals(lines.get(0), lines.get(1), "/dev/console is the terminal on stdin: " + terminal.screen());
            assertEquals("/dev/pts/0", lines.get(2), "the first terminal of the container's own devpts");
        }
        Mydocker.Result result = mydocker.run("run", "busybox", "sh", "-c", "test -e /dev/console || echo no console");
        assertEquals("no console\n", result.out(), "without -t: " + result);
    }

    @Test
    void aChrootCanBeEscapedButPivotRootCannot() throws Exception {
        // The escape script runs twice in the same unpacked busybox image: once in a container
        // made with plain chroot(1), as many early containers were, and once in mydocker's.
        assertSuccess("", mydocker.run("run", "busybox", "true"));
        Path rootfs = Image.layer(root, Image.DEFAULT);
        Files.copy(ESCAPE, rootfs.resolve("chroot-escape.sh"));
        Path marker = Files.writeString(root.resolve("host-marker"), "the host's file\n");

        Process chrooted = new ProcessBuilder("unshare", "--mount", "--pid", "--fork", "--mount-proc=" + rootfs.resolve("proc"),
                "chroot", rootfs.toString(), "/bin/sh", "/chroot-escape.sh", "cat", marker.toString())
                .redirectErrorStream(true).start();
        String chrootOut = new String(chrooted.getInputStream().readAllBytes());
        assertEquals(0, Mydocker.waitFor(chrooted), chrootOut);
        assertEquals("the host's file\n", chrootOut, "under chroot the escape reaches the host's files");

        Mydocker.Result pivoted = mydocker.run("run", "busybox", "sh", "/chroot-escape.sh", "cat", marker.toString());
        // The escape itself works, but it ends at the container's own root, where cat finds no marker.
        assertEquals(1, pivoted.exitCode(), pivoted.toString());
        assertEquals("", pivoted.out(), pivoted.toString());
        assertEquals("cat: can't open '" + marker + "': No such file or directory\n", pivoted.err(),
                "under pivot_root there is nothing to escape to: " + pivoted);
        try (Stream<Path> tmp = Files.list(rootfs.resolve("tmp"))) {
            assertEquals(List.of(), tmp.toList(), "the script cleans up after itself");
        }
    }

    @Test
    void initWorksFromADirectoryOfClassesAsUnderExecJava() {
        // After pivot_root a class directory is out of reach: what init needs must be loaded.
        assertSuccess("from classes\n", mydocker.runFromClasses("run", "busybox", "sh", "-c", "echo from classes"));
        CliIT.assertOneLineError(127, "/no/such/command", mydocker.runFromClasses("run", "busybox", "/no/such/command"));
    }
}
