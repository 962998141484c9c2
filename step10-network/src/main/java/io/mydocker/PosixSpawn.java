package io.mydocker;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import java.util.List;
import java.util.function.Consumer;

/**
 * posix_spawn(3): starts a program without forking the JVM. Forking a multi-threaded JVM can
 * deadlock the child, and ProcessBuilder closes every fd above 2 and starts a reaper thread (see
 * the book's chapter on Java). glibc's posix_spawnp does neither.
 */
final class PosixSpawn {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    private PosixSpawn() {
    }

    // posix_spawnattr_setflags(3) flags, from <spawn.h>.
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;

    // posix_spawn_file_actions_t, posix_spawnattr_t and sigset_t are opaque structs; these sizes
    // are generous upper bounds for glibc on x86_64 and aarch64.
    private static final int OPAQUE_STRUCT_SIZE = 512;

    /** posix_spawnp(3): like posix_spawn, but looks the program up on PATH. Returns an errno. */
    private static native int posix_spawnp(int[] pid, String file, Pointer fileActions,
            Pointer attributes, Pointer argv, Pointer envp);

    /** posix_spawn_file_actions_init(3) */
    private static native int posix_spawn_file_actions_init(Pointer fileActions);

    /** posix_spawn_file_actions_destroy(3) */
    private static native int posix_spawn_file_actions_destroy(Pointer fileActions);

    /** posix_spawn_file_actions_adddup2(3) */
    private static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    /** posix_spawn_file_actions_addopen(3) */
    private static native int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int flags,
            int mode);

    /** posix_spawn_file_actions_addclosefrom_np(3), glibc 2.34 and later. */
    private static native int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    /** posix_spawnattr_init(3) */
    private static native int posix_spawnattr_init(Pointer attributes);

    /** posix_spawnattr_destroy(3) */
    private static native int posix_spawnattr_destroy(Pointer attributes);

    /** posix_spawnattr_setflags(3) */
    private static native int posix_spawnattr_setflags(Pointer attributes, short flags);

    /** posix_spawnattr_setsigdefault(3) */
    private static native int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signals);

    /** posix_spawnattr_setsigmask(3) */
    private static native int posix_spawnattr_setsigmask(Pointer attributes, Pointer signals);

    /** sigfillset(3) */
    private static native int sigfillset(Pointer signals);

    /** sigemptyset(3) */
    private static native int sigemptyset(Pointer signals);

    /**
     * Starts argv with the environment env and returns its pid. The child gets stdio[0], [1] and
     * [2] as its stdin, stdout and stderr, and channel as its fd 3; every other fd of the JVM
     * (open jars, /dev/random, ...) is closed in the child. It starts in a session of its own
     * (setsid(2)), so it has no controlling terminal: the signals of the caller's terminal do not
     * reach it, and it cannot take the caller's terminal over.
     */
    // tag::spawn[]
    static int spawn(List<String> argv, List<String> env, int[] stdio, int channel) {
        return spawn(argv, env, fileActions -> {
            for (int fd = 0; fd < stdio.length; fd++) {
                check("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(fileActions, stdio[fd], fd));
            }
            check("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(fileActions, channel, 3));
            check("posix_spawn_file_actions_addclosefrom_np",
                    posix_spawn_file_actions_addclosefrom_np(fileActions, 4));
        });
    }
    // end::spawn[]

    /**
     * exec's side: starts the command argv in the container's namespaces, which the calling
     * thread has entered, and returns its pid. Its stdin, stdout and stderr are the caller's, or
     * with -t terminal, the container's pseudo-terminal: opened in the child, after setsid, it
     * becomes the command's controlling terminal, for no code of ours runs there to ask for it.
     */
    // tag::command[]
    static int spawnCommand(List<String> argv, List<String> env, String terminal) {
        return spawn(argv, env, fileActions -> {
            if (terminal != null) {
                check("posix_spawn_file_actions_addopen", posix_spawn_file_actions_addopen(fileActions, 0, terminal,
                        LibC.O_RDWR, 0));
                check("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(fileActions, 0, 1));
                check("posix_spawn_file_actions_adddup2", posix_spawn_file_actions_adddup2(fileActions, 0, 2));
            }
            check("posix_spawn_file_actions_addclosefrom_np",
                    posix_spawn_file_actions_addclosefrom_np(fileActions, 3));
        });
    }
    // end::command[]

    private static int spawn(List<String> argv, List<String> env, Consumer<Pointer> addFileActions) {
        Memory fileActions = new Memory(OPAQUE_STRUCT_SIZE);
        Memory attributes = new Memory(OPAQUE_STRUCT_SIZE);
        Memory signals = new Memory(OPAQUE_STRUCT_SIZE);
        check("posix_spawn_file_actions_init", posix_spawn_file_actions_init(fileActions));
        check("posix_spawnattr_init", posix_spawnattr_init(attributes));
        try {
            addFileActions.accept(fileActions);
            // The JVM blocks and handles some signals itself; the child starts with a clean slate.
            sigfillset(signals);
            check("posix_spawnattr_setsigdefault", posix_spawnattr_setsigdefault(attributes, signals));
            sigemptyset(signals);
            check("posix_spawnattr_setsigmask", posix_spawnattr_setsigmask(attributes, signals));
            check("posix_spawnattr_setflags", posix_spawnattr_setflags(attributes,
                    (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID)));
            int[] pid = new int[1];
            int error = posix_spawnp(pid, argv.get(0), fileActions, attributes,
                    new StringArray(argv.toArray(new String[0])), new StringArray(env.toArray(new String[0])));
            if (error == LibC.ENOENT) {
                throw new MydockerException(MydockerException.NOT_FOUND, argv.get(0)
                        + ": command not found in the container; check its name and PATH");
            }
            if (error == LibC.EACCES) {
                throw new MydockerException(MydockerException.CANNOT_EXECUTE, argv.get(0)
                        + ": cannot execute: " + LibC.strerror(error) + "; check that it is an executable program");
            }
            check("posix_spawnp " + argv.get(0), error);
            return pid[0];
        } finally {
            posix_spawnattr_destroy(attributes);
            posix_spawn_file_actions_destroy(fileActions);
        }
    }

    // posix_spawn functions return the error number instead of setting errno.
    private static void check(String function, int error) {
        if (error != 0) {
            throw new MydockerException(function + " failed: " + LibC.strerror(error));
        }
    }
}
