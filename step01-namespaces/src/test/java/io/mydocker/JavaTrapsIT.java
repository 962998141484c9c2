package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The book's chapter "Why Java needs care", claim by claim: what a multi-threaded JVM does to
 * unshare(2), fork(2) and ProcessBuilder, and why mydocker spawns through posix_spawn(3).
 */
class JavaTrapsIT extends ContainerTestBase {
    /** C functions that mydocker avoids or does not need, bound here only to show why. */
    static final class C {
        static {
            Native.register(Platform.C_LIBRARY_NAME);
        }

        static final int CLONE_NEWUSER = 0x10000000;
        static final int EINVAL = 22;
        static final int O_CLOEXEC = 02000000;
        static final int SIGKILL = 9;

        /** fork(2): copies the process, but only the calling thread. */
        static native int fork() throws LastErrorException;

        /** pause(2): sleeps until a signal comes. */
        static native int pause();

        /** kill(2) */
        static native int kill(int pid, int signal) throws LastErrorException;

        /** pipe2(2) */
        static native int pipe2(int[] fds, int flags) throws LastErrorException;

        /** read(2) */
        static native long read(int fd, byte[] buf, long count) throws LastErrorException;

        /** close(2) */
        static native int close(int fd) throws LastErrorException;

        /** posix_spawnp(3); returns an error number. */
        static native int posix_spawnp(int[] pid, String file, Pointer fileActions, Pointer attributes,
                Pointer argv, Pointer envp);

        /** posix_spawn_file_actions_init(3) */
        static native int posix_spawn_file_actions_init(Pointer fileActions);

        /** posix_spawn_file_actions_adddup2(3) */
        static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

        /** posix_spawn_file_actions_addclosefrom_np(3) */
        static native int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

        /** posix_spawn_file_actions_destroy(3) */
        static native int posix_spawn_file_actions_destroy(Pointer fileActions);
    }

    private static final StringArray ENV = new StringArray(new String[] {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"});
    /** The test JVM's own stdin, stdout and stderr, for a child of PosixSpawn. */
    private static final int[] STDIO = {0, 1, 2};

    // tag::threads[]
    @Test
    void theJvmRunsManyThreads() throws IOException {
        // Even a JVM that runs one line of main has threads of its own: GC, JIT, finalizer...
        Set<String> names;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            names = tasks.map(task -> read(task.resolve("comm"))).collect(Collectors.toSet());
        }
        assertTrue(names.contains("Reference Handl"), names.toString());
        assertTrue(names.contains("Signal Dispatch"), names.toString());
    }
    // end::threads[]

    // tag::per-thread[]
    @Test
    void unshareMovesOnlyTheCallingThread() throws Exception {
        String host = utsNamespace();
        String[] inside = onThrowAwayThread(() -> {
            LibC.unshare(LibC.CLONE_NEWUTS);
            // A thread started from here inherits the new namespace.
            return new String[] {utsNamespace(), onThrowAwayThread(JavaTrapsIT::utsNamespace)};
        });
        assertNotEquals(host, inside[0]);
        assertEquals(inside[0], inside[1]);
        assertEquals(host, utsNamespace(), "the rest of the JVM stays in the host's namespace");
    }
    // end::per-thread[]

    @Test
    void aUserNamespaceCannotBeCreatedFromTheJvm() throws Exception {
        // unshare(2): CLONE_NEWUSER requires that the calling process is not threaded.
        int errno = onThrowAwayThread(() -> {
            LastErrorException e = assertThrows(LastErrorException.class, () -> LibC.unshare(C.CLONE_NEWUSER));
            return e.getErrorCode();
        });
        assertEquals(C.EINVAL, errno);
    }

    // tag::pid[]
    @Test
    void afterUnsharingPidTheThreadCannotStartThreads() throws Exception {
        String error = onThrowAwayThread(() -> {
            LibC.unshare(LibC.CLONE_NEWPID);
            // pthread_create fails with EINVAL, which the JVM reports as OutOfMemoryError. The
            // JDK starts its process reaper thread just like this after ProcessBuilder.start().
            OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> new Thread(() -> { }).start());
            return e.getMessage();
        });
        assertTrue(error.contains("unable to create native thread"), error);
    }

    @Test
    void afterUnsharingPidTheThreadSpawnsOnlyWhilePid1Lives() throws Exception {
        String third = onThrowAwayThread(() -> {
            LibC.unshare(LibC.CLONE_NEWPID);
            // The first child is PID 1 of the new namespace; it waits for a line on stdin.
            int[] pipe = new int[2];
            C.pipe2(pipe, C.O_CLOEXEC);
            int first = PosixSpawn.spawn(List.of("/bin/sh", "-c", "read line"), List.of(), new int[] {pipe[0], 1, 2});
            C.close(pipe[0]);
            int second = PosixSpawn.spawn(List.of("/bin/true"), List.of(), STDIO);
            assertEquals(0, Container.reap(second), "a second child, born while PID 1 lives");
            C.close(pipe[1]);
            assertEquals(1, Container.reap(first), "PID 1, which read end-of-file");
            // PID 1 is gone, and with it the namespace: no process can be born in it any more.
            return assertThrows(MydockerException.class,
                    () -> PosixSpawn.spawn(List.of("/bin/true"), List.of(), STDIO)).getMessage();
        });
        assertTrue(third.contains("Cannot allocate memory"), third);
    }
    // end::pid[]

    // tag::fork[]
    @Test
    void forkCopiesOnlyTheCallingThread() {
        int pid = C.fork();
        if (pid == 0) {
            // The child: a copy of the JVM with one thread. Any lock another thread held at the
            // fork (malloc's, the GC's) stays locked here forever. It waits to be killed.
            while (true) {
                C.pause();
            }
        }
        try {
            assertEquals("1", threads("/proc/" + pid + "/status"), "the forked JVM");
            assertNotEquals("1", threads("/proc/self/status"), "the JVM that forked");
        } finally {
            C.kill(pid, C.SIGKILL);
            Container.reap(pid);
        }
    }
    // end::fork[]

    // tag::fds[]
    @Test
    void theJvmsOwnFilesAreNotCloseOnExec() throws IOException {
        try (OpenFile file = new OpenFile()) {
            assertEquals(0, file.flags() & C.O_CLOEXEC, "O_CLOEXEC");
        }
    }

    @Test
    void processBuilderClosesEveryFdAbove2InTheChild() throws Exception {
        try (OpenFile file = new OpenFile()) {
            Process child = new ProcessBuilder("sh", "-c", file.isOpenInChild()).start();
            assertEquals(1, child.waitFor(), "exit 1: fd " + file.fd + " is closed in the child");
        }
    }

    @Test
    void plainPosixSpawnLeaksTheJvmsFds() throws IOException {
        try (OpenFile file = new OpenFile()) {
            int[] pid = new int[1];
            assertEquals(0, C.posix_spawnp(pid, "sh", null, null,
                    new StringArray(new String[] {"sh", "-c", file.isOpenInChild()}), ENV));
            assertEquals(0, Container.reap(pid[0]), "exit 0: fd " + file.fd + " is open in the child");
        }
    }

    @Test
    void mydockersPosixSpawnClosesThem() throws IOException {
        try (OpenFile file = new OpenFile()) {
            int pid = PosixSpawn.spawn(List.of("sh", "-c", file.isOpenInChild()), List.of(), STDIO);
            assertEquals(1, Container.reap(pid), "exit 1: fd " + file.fd + " is closed in the child");
        }
    }

    @Test
    void posixSpawnCanGiveTheChildAnFd3() {
        int[] pipe = new int[2];
        C.pipe2(pipe, C.O_CLOEXEC);
        Memory fileActions = new Memory(512);
        C.posix_spawn_file_actions_init(fileActions);
        try {
            assertEquals(0, C.posix_spawn_file_actions_adddup2(fileActions, pipe[1], 3));
            assertEquals(0, C.posix_spawn_file_actions_addclosefrom_np(fileActions, 4));
            int[] pid = new int[1];
            assertEquals(0, C.posix_spawnp(pid, "sh", fileActions, null,
                    new StringArray(new String[] {"sh", "-c", "echo hello through fd 3 >&3"}), ENV));
            C.close(pipe[1]);
            assertEquals(0, Container.reap(pid[0]));
            byte[] buffer = new byte[100];
            long n = C.read(pipe[0], buffer, buffer.length);
            assertEquals("hello through fd 3\n", new String(buffer, 0, (int) n, StandardCharsets.UTF_8));
        } finally {
            C.posix_spawn_file_actions_destroy(fileActions);
            C.close(pipe[0]);
        }
    }
    // end::fds[]

    /** A file the JVM opens as it opens any (FileInputStream), and its fd number. */
    private static final class OpenFile implements AutoCloseable {
        final Path path = Files.createTempFile("java-traps", ".txt");
        final FileInputStream in = new FileInputStream(path.toFile());
        final int fd;

        OpenFile() throws IOException {
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                fd = fds.filter(link -> path.toString().equals(readLink(link)))
                        .mapToInt(link -> Integer.parseInt(link.getFileName().toString()))
                        .findFirst().orElseThrow();
            }
            assertFalse(fd < 3);
        }

        /** fdinfo's "flags:", the open(2) flags, in octal. */
        int flags() {
            for (String line : read(Path.of("/proc/self/fdinfo/" + fd)).split("\n")) {
                if (line.startsWith("flags:")) {
                    return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
                }
            }
            throw new AssertionError("no flags in fdinfo");
        }

        /** A shell command that exits 0 if the shell running it has this fd open. */
        String isOpenInChild() {
            return "[ -e /proc/$$/fd/" + fd + " ]";
        }

        @Override
        public void close() throws IOException {
            in.close();
            Files.delete(path);
        }
    }

    /** Runs work on a new platform thread, which dies with whatever namespaces it entered. */
    static <T> T onThrowAwayThread(Callable<T> work) throws Exception {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(() -> {
            try {
                result[0] = work.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        thread.start();
        thread.join();
        if (failure[0] instanceof Exception e) {
            throw e;
        }
        if (failure[0] != null) {
            throw (Error) failure[0];
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    private static String utsNamespace() {
        return readLink(Path.of("/proc/thread-self/ns/uts"));
    }

    private static String threads(String status) {
        for (String line : read(Path.of(status)).split("\n")) {
            if (line.startsWith("Threads:")) {
                return line.substring("Threads:".length()).trim();
            }
        }
        throw new AssertionError("no Threads: in " + status);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return ""; // an fd that closed while we looked
        }
    }
}
