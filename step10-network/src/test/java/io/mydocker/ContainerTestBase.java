package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every integration test shares: it needs root, gets a private state root, and checks that
 * its containers left nothing behind: no mount, cgroup or process on the host, no container's
 * directory in the state root, and the host's hostname as it was. A container that has exited
 * stays until rm, as in docker: the check removes every container the test left, with
 * `mydocker rm -f`, first, and so tests that rm leaves nothing.
 */
abstract class ContainerTestBase {
    // The residue check looks at the whole host, so two builds testing at once would see each
    // other's containers: tests on one host take turns.
    private static final Path HOST_LOCK = Path.of("/run/mydocker-tests.lock");

    @TempDir
    Path root;
    Mydocker mydocker;
    private FileLock turn;
    private List<String> residueBefore;
    private String hostnameBefore;

    @BeforeEach
    void startOnAQuietHost() throws IOException {
        Mydocker.requireRoot();
        turn = FileChannel.open(HOST_LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE).lock();
        mydocker = new Mydocker(root);
        residueBefore = Mydocker.residue();
        hostnameBefore = Mydocker.hostname();
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        if (turn == null) {
            return; // skipped: not root
        }
        try {
            mydocker.stopBackground();
            String hostname = Mydocker.hostname();
            if (!hostname.equals(hostnameBefore)) {
                Mydocker.setHostname(hostnameBefore); // before failing: the host is not ours to rename
            }
            assertEquals(hostnameBefore, hostname, "a container renamed the host");
            mydocker.removeAll();
            assertEquals(List.of(), lastingResidue(), "a mount, cgroup or process was left behind");
            assertEquals(List.of(), list(root.resolve("containers")).stream().filter(name -> !name.equals(Containers.LOCK)).toList(),
                    "a container's directory was left in the state root");
            // Only once nothing is mounted in it: the images' links point outside the temp dir,
            // which JUnit warns about for each of them.
            try (Stream<Path> state = Files.list(root)) {
                state.forEach(Tar::deleteTree);
            }
        } finally {
            turn.channel().close();
        }
    }

    /**
     * What appeared on the host during the test and stays. Other builds on this host may run
     * containers outside the lock (each build's package phase runs one), which come and go: what
     * is new must still be there after a few seconds to count. Ours have all ended by now.
     */
    private List<String> lastingResidue() throws InterruptedException {
        List<String> lasting = newResidue();
        for (int tries = 0; !lasting.isEmpty() && tries < 50; tries++) {
            Thread.sleep(200);
            lasting.retainAll(newResidue());
        }
        return lasting;
    }

    private List<String> newResidue() {
        List<String> found = new ArrayList<>(Mydocker.residue());
        residueBefore.forEach(found::remove);
        return found;
    }

    private static List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}
