import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Runs a command while it holds the lock file with which the integration tests take turns on
 * the host (ContainerTestBase), so that neither sees the other's containers. It takes the lock
 * as the tests do, with FileChannel.lock(): on Linux an fcntl(2) record lock, which a flock(1)
 * lock would not exclude. prepare.sh runs it as a single-file program:
 *
 *     java HostLock.java LOCK_FILE COMMAND [ARG...]
 */
public final class HostLock {
    private HostLock() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        int status;
        try (FileChannel lock = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            lock.lock();
            status = new ProcessBuilder(Arrays.asList(args).subList(1, args.length)).inheritIO().start().waitFor();
        }
        System.exit(status);
    }
}
