package io.mydocker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * Where the networks are kept: NETWORKS/NAME.json under the state root, one file per network,
 * with the addresses and ports lent to its containers (see Network). Everything that reads and
 * then writes them does so while holding a lock, so that `mydocker run`s started at once take
 * turns: each sees what the one before it took.
 */
final class Networks implements AutoCloseable {
    static final String NETWORKS = "networks";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final FileChannel lock;

    private Networks(Path dir, FileChannel lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /**
     * Waits for the lock and takes it: a lock on the file .lock (fcntl(2), through Java's
     * FileLock), which the kernel releases when the process ends, even when it is killed.
     */
    // tag::lock[]
    static Networks lock(Path root) {
        Path dir = root.resolve(NETWORKS);
        try {
            try {
                Files.createDirectory(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new MydockerException(dir + " is not a directory; remove it, or give another --root");
                }
            }
            FileChannel lock = FileChannel.open(dir.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock.lock();
            return new Networks(dir, lock);
        } catch (IOException e) {
            throw new MydockerException("cannot lock the networks in " + dir + ": " + e.getMessage());
        }
    }
    // end::lock[]

    /** The network called name, or null if there is none. */
    Network find(String name) {
        Path file = file(name);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return JSON.readValue(file.toFile(), Network.class);
        } catch (IOException e) {
            throw new MydockerException("cannot read the network " + name + " from " + file + ": "
                    + Containers.firstLine(e) + "; if it is damaged, remove it with mydocker network rm " + name);
        }
    }

    /** Whether the file of the network called name is there but cannot be read. */
    boolean isDamaged(String name) {
        try {
            find(name);
            return false;
        } catch (MydockerException e) {
            return true;
        }
    }

    /** The network called name; an error that lists the networks if there is none. */
    Network get(String name) {
        Network network = find(name);
        if (network == null) {
            List<String> names = all().stream().map(Network::name).toList();
            throw new MydockerException("no such network '" + name + "'; "
                    + (names.isEmpty() ? "there are none" : "the networks are " + String.join(", ", names))
                    + "; create one with mydocker network create");
        }
        return network;
    }

    /** Every network that can be read, by name: a damaged file stops no other network. */
    List<Network> all() {
        return all((name, damage) -> { });
    }

    /** Every network, by name; damaged is told the name and the error of each file that cannot be read. */
    List<Network> all(BiConsumer<String, MydockerException> damaged) {
        List<Network> networks = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".json")) {
                    name = name.substring(0, name.length() - ".json".length());
                    try {
                        networks.add(find(name));
                    } catch (MydockerException e) {
                        damaged.accept(name, e);
                    }
                }
            }
        } catch (IOException e) {
            throw new MydockerException("cannot list the networks in " + dir + ": " + e.getMessage());
        }
        return networks;
    }

    /**
     * Writes the network's file whole: a new file, then renamed over the old one, so that a crash
     * leaves one or the other.
     */
    void save(Network network) {
        Path file = file(network.name());
        Path tmp = dir.resolve("." + network.name() + ".json.tmp");
        try {
            JSON.writeValue(tmp.toFile(), network);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // half written: the disk is full, say
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw new MydockerException("cannot write the network " + network.name() + " to " + file + ": "
                    + e.getMessage());
        }
    }

    void delete(String name) {
        try {
            Files.deleteIfExists(file(name));
        } catch (IOException e) {
            throw new MydockerException("cannot delete " + file(name) + ": " + e.getMessage());
        }
    }

    private Path file(String name) {
        Network.checkName(name); // no '/' nor "..": the file stays in dir
        return dir.resolve(name + ".json");
    }

    @Override
    public void close() {
        try {
            lock.close();
        } catch (IOException e) {
            throw new MydockerException("cannot unlock the networks in " + dir + ": " + e.getMessage());
        }
    }
}
