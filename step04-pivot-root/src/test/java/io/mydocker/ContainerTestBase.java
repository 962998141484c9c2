package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every integration test shares: it needs root, gets a private state root, and checks that
 * its containers left no mount or cgroup behind.
 */
abstract class ContainerTestBase {
    // The residue check looks at the whole host, so two builds testing at once would see each
    // other's containers: tests on one host take turns.
    private static final Path HOST_LOCK = Path.of("/run/mydocker-tests.lock");

    @TempDir
    Path root;
    Mydocker mydocker;
    private FileLock turn;
    private Set<String> residueBefore;

    @BeforeEach
    void startOnAQuietHost() throws IOException {
        Mydocker.requireRoot();
        turn = FileChannel.open(HOST_LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE).lock();
        mydocker = new Mydocker(root);
        residueBefore = Mydocker.residue();
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        if (turn == null) {
            return; // skipped: not root
        }
        try {
            assertEquals(residueBefore, Mydocker.residue(), "a mount or cgroup was left behind");
            // Only once nothing is mounted in it: the images' links point outside the temp dir,
            // which JUnit warns about for each of them.
            try (Stream<Path> state = Files.list(root)) {
                state.forEach(Tar::deleteTree);
            }
        } finally {
            turn.channel().close();
        }
    }
}
