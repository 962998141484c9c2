package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A network's file under the state root, and the names a network may have; nothing here needs root. */
class NetworkTest {
    @TempDir
    Path root;

    @Test
    void aNetworkAndItsLeasesAreAJsonFileThatReadsBackTheSame() throws IOException {
        Map<String, Network.Lease> leases = new LinkedHashMap<>();
        leases.put("0123456789ab", new Network.Lease("192.168.10.2", "veth0123456789a",
                List.of(PortMapping.parse("8080:80"), PortMapping.parse("53:53/udp")), new Network.Owner(42, 1000)));
        Network network = new Network("testbridge", "bridge", Subnet.parse("192.168.10.0/24"), leases);
        try (Networks networks = Networks.lock(root)) {
            networks.save(network);
            assertEquals(network, networks.get("testbridge"));
            assertEquals(List.of(network), networks.all());
        }
        String json = Files.readString(root.resolve("networks/testbridge.json"));
        assertTrue(json.contains("\"subnet\" : \"192.168.10.0/24\""), json);
        assertTrue(json.contains("\"ports\" : [ \"8080:80/tcp\", \"53:53/udp\" ]"), json);
        assertTrue(json.contains("\"veth\" : \"veth0123456789a\""), json);
    }

    @Test
    void anUnknownNetworkIsAnErrorThatNamesTheKnownOnes() {
        try (Networks networks = Networks.lock(root)) {
            assertNull(networks.find("nonet"));
            assertTrue(assertThrows(MydockerException.class, () -> networks.get("nonet")).getMessage()
                    .contains("no such network 'nonet'; there are none"));
            networks.save(new Network("one", "bridge", Subnet.parse("10.1.0.0/16"), new LinkedHashMap<>()));
            assertTrue(assertThrows(MydockerException.class, () -> networks.get("two")).getMessage()
                    .contains("the networks are one"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../../etc/passwd", "a/b", "..", ".hidden", "-x", "a b", "bridge:1", ""})
    void aNameThatIsNoDeviceNameNorFileNameIsRefused(String name) throws IOException {
        Path decoy = Files.writeString(root.resolve("decoy.json"), "{}");
        MydockerException e = assertThrows(MydockerException.class, () -> Network.checkName(name));
        assertTrue(e.getMessage().startsWith("invalid network name"), e.getMessage());
        try (Networks networks = Networks.lock(root)) {
            assertThrows(MydockerException.class, () -> networks.find(name.isEmpty() ? "../decoy" : name));
            assertThrows(MydockerException.class, () -> networks.delete("../decoy"));
        }
        assertEquals("{}", Files.readString(decoy));
    }

    @Test
    void aNameIsAtMostFifteenCharactersAsTheKernelsDeviceNames() {
        Network.checkName("a23456789012345");
        MydockerException e = assertThrows(MydockerException.class, () -> Network.checkName("a234567890123456"));
        assertTrue(e.getMessage().contains("the kernel allows 15 characters"), e.getMessage());
    }

    @Test
    void anOwnerIsAliveUntilItEndsAndAReusedPidIsNotIt() throws Exception {
        assertTrue(Network.Owner.current().alive());
        Network.Owner current = Network.Owner.current();
        assertFalse(new Network.Owner(current.pid(), current.started() - 1000).alive(), "same pid, another start");
        Process process = new ProcessBuilder("sleep", "60").start();
        Network.Owner sleeper = new Network.Owner((int) process.pid(), ProcStat.startTime((int) process.pid()));
        assertTrue(sleeper.alive());
        process.destroy();
        process.waitFor();
        assertFalse(sleeper.alive(), "ended");
    }
}
