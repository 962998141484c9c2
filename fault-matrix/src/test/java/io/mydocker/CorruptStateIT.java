package io.mydocker;

import static io.mydocker.Mydocker.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Corrupt state: a container's record, a network's file (its leases) or an image's tar, cut short
 * by a crash, or filled with garbage, or empty. Every command that meets the damage says, in one
 * line, which file it is and how to recover, and exits 125; no stack trace. The containers and
 * networks next to it keep working, and the way out that mydocker names leaves nothing behind.
 */
class CorruptStateIT extends FaultCase {
    /** What a crash, a bad disk or a stray write leaves of a file. */
    enum Damage {
        CUT_SHORT {
            @Override
            byte[] of(byte[] bytes) {
                return Arrays.copyOf(bytes, bytes.length / 2);
            }
        },
        GARBAGE {
            @Override
            byte[] of(byte[] bytes) {
                byte[] garbage = new byte[bytes.length];
                new Random(17).nextBytes(garbage);
                return garbage;
            }
        },
        EMPTY {
            @Override
            byte[] of(byte[] bytes) {
                return new byte[0];
            }
        },
        /** A tar cut short where an entry begins: what is left looks like a whole, smaller tar. */
        CUT_BETWEEN_ENTRIES {
            @Override
            byte[] of(byte[] bytes) {
                // The last header: a 512-byte block with "ustar" at 257 (tar(5)).
                for (int block = bytes.length / 512 - 1; block >= 0; block--) {
                    if (new String(bytes, block * 512 + 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
                        return Arrays.copyOf(bytes, block * 512);
                    }
                }
                throw new AssertionError("no tar");
            }
        };

        abstract byte[] of(byte[] bytes);

        void damage(Path file) throws IOException {
            Files.write(file, of(Files.readAllBytes(file)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Damage.class, names = {"CUT_SHORT", "GARBAGE", "EMPTY"})
    void aDamagedRecordStopsNoOtherContainer(Damage damage) throws IOException {
        assertSuccess("", mydocker.run("network", "create", "--subnet", "10.234.0.0/24", "fm0"));
        String healthy = started("run", "-d", "--name", "healthy", "--net", "fm0", "busybox", "sh", "-c",
                "echo hello; sleep 600");
        String id = started("run", "-d", "--name", "victim", "--net", "fm0", "-v", volume + ":/data",
                "busybox", "sleep", "600");
        Path record = Containers.dir(root, id).resolve(Containers.RECORD);
        damage.damage(record);

        // ps lists the healthy container, names the damaged record, and fails: the list is not whole.
        Mydocker.Result ps = mydocker.run("ps", "-a");
        assertDamage(ps, record.toString(), "rm -f " + id);
        assertTrue(ps.out().contains("healthy"), ps.toString());
        for (String command : List.of("inspect", "logs", "stop", "rm", "commit")) {
            List<String> args = command.equals("commit") ? List.of("commit", id, "copy") : List.of(command, id);
            assertDamage(mydocker.run(args.toArray(new String[0])), record.toString(), "rm -f " + id);
        }
        Mydocker.Result byName = mydocker.run("stop", "victim");
        assertEquals(125, byName.exitCode(), byName.toString());
        assertTrue(byName.err().contains("damaged"), "points to the damaged record: " + byName);
        Mydocker.Result inUse = mydocker.run("network", "rm", "fm0");
        assertEquals(125, inUse.exitCode(), inUse.toString());
        assertTrue(inUse.err().contains("in use by the containers healthy, " + id), inUse.toString());

        // The healthy one, on the same network: logged, stopped, removed, its lease released.
        assertSuccess("hello\n", mydocker.run("logs", "healthy"));
        assertSuccess("healthy\n", mydocker.run("stop", "-t", "0", "healthy"));
        assertSuccess(healthy + "\n", mydocker.run("rm", healthy));

        // The way out: rm -f kills it (its cgroup holds it) and releases its mount and its lease.
        assertSuccess(id + "\n", mydocker.run("rm", "-f", id));
        assertFalse(Files.exists(Containers.dir(root, id)));
        assertSuccess("", mydocker.run("ps", "-aq"));
    }

    @ParameterizedTest
    @EnumSource(value = Damage.class, names = {"CUT_SHORT", "GARBAGE"})
    void aDamagedNetworkFileStopsNoOtherNetwork(Damage damage) throws IOException {
        assertSuccess("", mydocker.run("network", "create", "--subnet", "10.235.0.0/24", "fm0"));
        assertSuccess("", mydocker.run("network", "create", "--subnet", "10.236.0.0/24", "fm1"));
        String healthy = started("run", "-d", "--net", "fm1", "busybox", "sleep", "600");
        Path file = root.resolve(Networks.NETWORKS).resolve("fm0.json");
        damage.damage(file);

        Mydocker.Result ls = mydocker.run("network", "ls");
        assertDamage(ls, file.toString(), "network rm fm0");
        assertTrue(ls.out().contains("fm1"), ls.toString());
        assertDamage(mydocker.run("run", "--rm", "--net", "fm0", "busybox", "true"), file.toString(),
                "network rm fm0");
        assertSuccess(healthy + "\n", mydocker.run("ps", "-q"));

        // The other network: a container joins it and leaves; the one there is removed.
        Mydocker.Result run = mydocker.run("run", "--rm", "--net", "fm1", "busybox", "true");
        assertEquals(0, run.exitCode(), run.toString());
        assertSuccess(healthy + "\n", mydocker.run("rm", "-f", healthy));

        // The way out: network rm takes its bridge and its rules, whose subnet the host's route gives.
        assertSuccess("fm0\n", mydocker.run("network", "rm", "fm0"));
        assertFalse(netns.snapshot().contains("fm0"), netns.snapshot());
        assertFalse(netns.snapshot().contains("10.235.0.0"), netns.snapshot());
    }

    @ParameterizedTest
    @EnumSource(value = Damage.class, names = {"CUT_SHORT", "GARBAGE", "CUT_BETWEEN_ENTRIES"})
    void aDamagedImageIsNotUnpacked(Damage damage) throws IOException {
        String healthy = started("run", "-d", "busybox", "sleep", "600");
        Path busybox = root.resolve(Image.IMAGES).resolve("busybox.tar");
        Path tar = Files.copy(busybox, busybox.resolveSibling("box.tar"));
        damage.damage(tar);

        assertDamage(mydocker.run("run", "--rm", "box", "true"), tar.toString(), "replace it, or delete it");
        try (var layers = Files.list(root.resolve(Image.LAYERS))) {
            // The lock file through which unpacks take turns stays.
            assertEquals(1, layers.filter(layer -> !layer.getFileName().toString().equals(Tar.LOCK)).count(),
                    "busybox's layer only: no half layer of box");
        }
        // Containers of other images run; a commit replaces the damaged image with a whole one.
        assertEquals(0, mydocker.run("run", "--rm", "busybox", "true").exitCode());
        assertEquals(0, mydocker.run("commit", healthy, "box").exitCode());
        assertEquals(0, mydocker.run("run", "--rm", "box", "true").exitCode());
        assertSuccess(healthy + "\n", mydocker.run("rm", "-f", healthy));
    }

    /** Runs a container with -d, which must start, and returns its ID. */
    private String started(String... args) {
        Mydocker.Result run = mydocker.run(args);
        assertEquals(0, run.exitCode(), run.toString());
        return run.out().trim();
    }

    /**
     * The command met the damage: exit 125, and one line on stderr that names the file and what
     * to do, with no Jackson location nor stack trace.
     */
    private static void assertDamage(Mydocker.Result result, String file, String recovery) {
        assertEquals(125, result.exitCode(), result.toString());
        assertTrue(result.err().startsWith("mydocker: "), result.toString());
        assertEquals(1, result.err().lines().count(), "one line: " + result);
        assertTrue(result.err().contains(file), "names " + file + ": " + result);
        assertTrue(result.err().contains(recovery), "says " + recovery + ": " + result);
    }
}
