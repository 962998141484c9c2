package io.mydocker;

import static io.mydocker.Mydocker.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The matrix's baseline, with no fault: the full `run -d --net -p -v` that the other cases
 * attack runs and is removed, and leaves nothing. And the checks that FaultCase makes after each
 * case see what they look for, so that a case cannot pass for want of looking.
 */
class BaselineIT extends FaultCase {
    @Test
    void aFullRunIsRemovedWithoutATrace() {
        assertSuccess("", mydocker.run("network", "create", "--subnet", "10.231.0.0/24", "fm0"));
        Mydocker.Result run = mydocker.run("run", "-d", "--name", "full", "--net", "fm0", "-p", "18080:80",
                "-v", volume + ":/data", "busybox", "sh", "-c", "cat /data/notes.txt; sleep 600");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(mydocker.run("ps").out().contains("full"), "ps lists the container");
        assertSuccess("full\n", mydocker.run("rm", "-f", "full"));
    }

    @Test
    void theChecksSeeWhatTheyLookFor() throws Exception {
        Files.createDirectories(root.resolve(Image.LAYERS));
        Files.writeString(root.resolve(Image.LAYERS).resolve(".half-unpacked"), "");
        netns.ok("ip link add fm-dummy type veth peer name fm-peer");
        assertTrue(residue().contains("file " + root.resolve(Image.LAYERS).resolve(".half-unpacked")), residue().toString());
        assertTrue(residue().stream().anyMatch(line -> line.startsWith("netns ") && line.contains("fm-dummy")),
                residue().toString());
        Files.delete(root.resolve(Image.LAYERS).resolve(".half-unpacked"));
        netns.ok("ip link del fm-dummy");
        Path copy = Files.createDirectory(host.resolve("copy"));
        Files.write(copy.resolve("a.bin"), new byte[1000]);
        Files.write(copy.resolve("b.bin"), new byte[2000]);
        Map<String, String> before = checksums(copy);
        assertEquals(0, bytesLost(before, copy));
        Files.write(copy.resolve("a.bin"), new byte[999]);
        Files.delete(copy.resolve("b.bin"));
        assertEquals(3000, bytesLost(before, copy));
    }
}
