package io.mydocker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The containers there are: a directory each, CONTAINERS/ID under the state root, with the
 * container's record (config.json), its log, and its layer. Commands that run at once, even
 * twenty `run -d`, take turns through a lock file when they change records, and a record is
 * written to a temporary file and renamed: a reader sees the old record or the new one, never
 * half of one.
 */
final class Containers {
    static final String RECORD = "config.json";
    static final String LOG = "container.log";
    static final String LOCK = ".lock";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> ADJECTIVES = List.of("brave", "calm", "eager", "fond", "keen", "lucid",
            "merry", "nimble", "quiet", "swift");
    private static final List<String> SCIENTISTS = List.of("curie", "darwin", "euler", "hopper", "kepler",
            "lovelace", "noether", "pasteur", "shannon", "turing");

    private Containers() {
    }

    static Path dir(Path root, String id) {
        return root.resolve(Container.CONTAINERS).resolve(id);
    }

    // tag::lock[]
    /**
     * Runs change while no other mydocker changes records: a lock on the file CONTAINERS/.lock,
     * which fcntl(2) holds for this process until it lets go, or ends.
     */
    static <T> T locked(Path root, Supplier<T> change) {
        Path file = root.resolve(Container.CONTAINERS).resolve(LOCK);
        try (FileChannel lock = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = lock.lock()) {
            return change.get();
        } catch (IOException e) {
            throw new MydockerException("cannot lock " + file + ": " + e.getMessage());
        }
    }
    // end::lock[]

    /**
     * Makes the container's directory and first record. Its name must be free; a container
     * without one gets a name like docker's, an adjective and a scientist.
     */
    // tag::create[]
    static ContainerRecord create(Path root, ContainerRecord record) {
        return locked(root, () -> {
            // A damaged record's name cannot be read: it takes none.
            Set<String> taken = list(root, (id, damage) -> { }).stream().map(ContainerRecord::name)
                    .collect(Collectors.toSet());
            String name = record.name() != null ? record.name() : generatedName(taken);
            if (taken.contains(name)) {
                throw new MydockerException("the name '" + name + "' is taken by another container;"
                        + " choose another, or remove that container with mydocker rm " + name);
            }
            ContainerRecord named = record.named(name);
            try {
                Files.createDirectory(dir(root, record.id()));
            } catch (IOException e) {
                throw new MydockerException("cannot create " + dir(root, record.id()) + ": " + e.getMessage());
            }
            try {
                write(root, named);
            } catch (MydockerException e) {
                // The disk is full, say: no directory without a record may stay, which no command lists.
                Tar.deleteTree(dir(root, record.id()));
                throw e;
            }
            return named;
        });
    }
    // end::create[]

    private static String generatedName(Set<String> taken) {
        for (String adjective : ADJECTIVES) {
            for (String scientist : SCIENTISTS) {
                String name = adjective + "_" + scientist;
                if (!taken.contains(name)) {
                    return name;
                }
            }
        }
        return "container_" + ContainerId.random();
    }

    // tag::write[]
    /** Writes a new record of a container, unless rm has removed the container meanwhile. */
    static void save(Path root, ContainerRecord record) {
        locked(root, () -> {
            if (Files.isDirectory(dir(root, record.id()))) {
                write(root, record);
            }
            return null;
        });
    }

    private static void write(Path root, ContainerRecord record) {
        Path file = dir(root, record.id()).resolve(RECORD);
        Path tmp = file.resolveSibling(RECORD + ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), record);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // half written: the disk is full, say
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw new MydockerException("cannot write the record " + file + ": " + e.getMessage());
        }
    }
    // end::write[]

    static ContainerRecord load(Path root, String id) {
        ContainerRecord record = loadIfThere(root, id);
        if (record == null) {
            throw new MydockerException("no such container '" + id + "'; mydocker ps -a lists them");
        }
        return record;
    }

    /**
     * The container's record, or null if rm has removed the container, maybe just now. A record
     * that cannot be read, cut short by a crash, say, is an error that names it and the way out.
     */
    static ContainerRecord loadIfThere(Path root, String id) {
        Path file = dir(root, id).resolve(RECORD);
        try {
            return JSON.readValue(file.toFile(), ContainerRecord.class);
        } catch (FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            throw new MydockerException("cannot read the record " + file + " of container " + id + ": "
                    + firstLine(e) + "; if it is damaged, remove the container with mydocker rm -f " + id);
        }
    }

    /** An exception's message on one line: Jackson's goes on with where in the file, on lines of its own. */
    static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }

    /**
     * Every container's record, the oldest first. A record that cannot be read stops no one:
     * damaged is told its container's ID and the error, and the others are listed.
     */
    static List<ContainerRecord> list(Path root, BiConsumer<String, MydockerException> damaged) {
        List<ContainerRecord> records = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root.resolve(Container.CONTAINERS))) {
            for (Path dir : dirs.filter(Files::isDirectory).toList()) {
                String id = dir.getFileName().toString();
                try {
                    ContainerRecord record = loadIfThere(root, id);
                    if (record != null) {
                        records.add(record);
                    }
                } catch (MydockerException e) {
                    damaged.accept(id, e);
                }
            }
        } catch (IOException e) {
            throw new MydockerException("cannot list " + root.resolve(Container.CONTAINERS) + ": " + e.getMessage());
        }
        records.sort(Comparator.comparing(ContainerRecord::created));
        return records;
    }

    /**
     * The container that a user names, as docker finds it: by its name, its ID, or the start of
     * its ID, as long as no other container's ID starts the same.
     */
    // tag::find[]
    static ContainerRecord find(Path root, String reference) {
        Map<String, MydockerException> damaged = new HashMap<>();
        List<ContainerRecord> all = list(root, damaged::put);
        for (ContainerRecord record : all) {
            if (record.name().equals(reference) || record.id().equals(reference)) {
                return record;
            }
        }
        List<ContainerRecord> matches = reference.isEmpty() ? List.of()
                : all.stream().filter(record -> record.id().startsWith(reference)).toList();
        if (matches.size() > 1) {
            throw new MydockerException("'" + reference + "' is the start of several containers' IDs: "
                    + matches.stream().map(ContainerRecord::id).collect(Collectors.joining(", "))
                    + "; give more of it");
        }
        if (matches.isEmpty()) {
            // A container whose record is damaged has no name to find it by, only its whole ID.
            if (damaged.containsKey(reference)) {
                throw damaged.get(reference);
            }
            throw new MydockerException("no such container '" + reference + "'; mydocker ps -a lists them"
                    + (damaged.isEmpty() ? "" : ", and the containers whose record is damaged"));
        }
        return matches.get(0);
    }
    // end::find[]

    /** Whether id is the ID of a container whose record cannot be read. */
    static boolean isDamaged(Path root, String id) {
        Map<String, MydockerException> damaged = new HashMap<>();
        list(root, damaged::put);
        return damaged.containsKey(id);
    }

    /** Deletes the container's directory: its record, its log, its layer. */
    static void remove(Path root, String id) {
        locked(root, () -> {
            Tar.deleteTree(dir(root, id));
            return null;
        });
    }
}
