package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * One case of the fault matrix: a fault done to mydocker, after which the host must be as it was.
 * Each case gets a private state root, a network namespace of its own for whatever networks it
 * makes, and a volume: a host directory of files that no fault may change. After the case, every
 * container left is removed with `rm -f` and every network with `network rm`, both of which must
 * succeed; then nothing may be left (see residue()), and the volume's files must be byte for byte
 * what they were. FaultMatrixSummary adds up the cases.
 */
abstract class FaultCase {
    // The residue check looks at the whole host: cases take turns with every other test on it.
    private static final Path HOST_LOCK = Path.of("/run/mydocker-tests.lock");

    /** The state root. */
    @TempDir
    Path root;
    /** Where the volume and the network namespace's file are: outside the state root. */
    @TempDir
    Path host;
    /** A host directory of files, which cases mount into containers with -v. */
    Path volume;
    NetNs netns;
    /** mydocker, run in the case's network namespace. */
    Mydocker mydocker;
    private FileLock turn;
    private List<String> residueBefore;
    private Map<String, String> volumeBefore;

    @BeforeEach
    void startOnAQuietHost() throws IOException {
        Mydocker.requireRoot();
        turn = FileChannel.open(HOST_LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE).lock();
        netns = NetNs.create(host.resolve("netns"));
        mydocker = new Mydocker(root, netns.nsenter());
        volume = host.resolve("volume");
        Files.createDirectories(volume.resolve("dir"));
        Random random = new Random(42);
        for (String name : List.of("a.bin", "dir/b.bin")) {
            byte[] bytes = new byte[256 * 1024];
            random.nextBytes(bytes);
            Files.write(volume.resolve(name), bytes);
        }
        Files.writeString(volume.resolve("notes.txt"), "host data: no fault may change it\n");
        volumeBefore = checksums(volume);
        residueBefore = residue();
    }

    @AfterEach
    void nothingLostNothingLeft(TestInfo test) throws Exception {
        if (turn == null) {
            return; // skipped: not root
        }
        List<String> residue = List.of();
        long lost = -1;
        try {
            mydocker.stopBackground();
            mydocker.removeAll();
            for (String network : networks()) {
                assertEquals(0, mydocker.run("network", "rm", network).exitCode(), "mydocker network rm " + network);
            }
            residue = lastingResidue();
            lost = bytesLost(volumeBefore, volume);
        } finally {
            FaultMatrixSummary.record(test.getDisplayName(), residue.size(), Math.max(lost, 0));
            try {
                netns.close();
            } finally {
                turn.channel().close();
            }
        }
        assertEquals(List.of(), residue, "left behind");
        assertEquals(0, lost, "bytes of the volume's files changed or lost");
        try (Stream<Path> state = Files.list(root)) {
            state.forEach(Tar::deleteTree);
        }
    }

    /**
     * What a fault could leave behind, host-wide: mounts, cgroups and processes in other PID
     * namespaces (Mydocker.residue), the links and iptables rules of the case's network namespace,
     * monitors still running for the case's state root and their children, and files in the state
     * root other than images, complete layers and lock files.
     */
    List<String> residue() throws IOException {
        List<String> found = new ArrayList<>(Mydocker.residue());
        netns.snapshot().lines().forEach(line -> found.add("netns " + line));
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            for (ProcessHandle monitor : all.filter(this::isOurMonitor).toList()) {
                found.add("monitor " + monitor.pid());
                monitor.children().forEach(child -> found.add("child " + child.pid() + " of monitor " + monitor.pid()));
            }
        }
        if (Files.isDirectory(root)) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(file -> !file.equals(root) && !isKept(root.relativize(file)))
                        .forEach(file -> found.add("file " + file));
            }
        }
        found.sort(null);
        return found;
    }

    private boolean isOurMonitor(ProcessHandle process) {
        List<String> args = List.of(process.info().arguments().orElse(new String[0]));
        return args.contains(Monitor.class.getName()) && args.contains(root.toString());
    }

    /** What the state root may hold when no container exists: its directories, images, layers, locks. */
    private static boolean isKept(Path relative) {
        String first = relative.getName(0).toString();
        String name = relative.getFileName().toString();
        return switch (relative.getNameCount()) {
            case 1 -> Image.CHILDREN.contains(first) || first.equals(Networks.NETWORKS);
            case 2 -> name.equals(Containers.LOCK)
                    || first.equals(Image.IMAGES) && name.endsWith(".tar") && !name.startsWith(".")
                    || first.equals(Image.LAYERS) && name.matches("[0-9a-f]{64}");
            default -> first.equals(Image.LAYERS) && relative.getName(1).toString().matches("[0-9a-f]{64}");
        };
    }

    /**
     * What is new since the case began and stays. Other builds on this host may run containers
     * outside the lock (each build's package phase runs one), which come and go.
     */
    private List<String> lastingResidue() throws InterruptedException, IOException {
        List<String> lasting = newResidue();
        for (int tries = 0; !lasting.isEmpty() && tries < 50; tries++) {
            Thread.sleep(200);
            lasting.retainAll(newResidue());
        }
        return lasting;
    }

    private List<String> newResidue() throws IOException {
        List<String> found = residue();
        residueBefore.forEach(found::remove);
        return found;
    }

    /** The networks the case left: NETWORKS/NAME.json in the state root. */
    private List<String> networks() throws IOException {
        Path dir = root.resolve(Networks.NETWORKS);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".json") && !name.startsWith("."))
                    .map(name -> name.substring(0, name.length() - ".json".length()))
                    .toList();
        }
    }

    /** The size and SHA-256 of every regular file under dir, by its path relative to dir. */
    static Map<String, String> checksums(Path dir) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                sums.put(dir.relativize(file).toString(), Files.size(file) + " " + sha256(file));
            }
        }
        return sums;
    }

    /** The bytes of the files of before that are gone from dir or differ now, by their size before. */
    static long bytesLost(Map<String, String> before, Path dir) throws IOException {
        Map<String, String> now = checksums(dir);
        long lost = 0;
        for (Map.Entry<String, String> file : before.entrySet()) {
            if (!file.getValue().equals(now.get(file.getKey()))) {
                lost += Math.max(1, Long.parseLong(file.getValue().substring(0, file.getValue().indexOf(' '))));
            }
        }
        return lost;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
