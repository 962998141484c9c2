package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address a new container gets. */
class IpamTest {
    private static final Subnet SUBNET = Subnet.parse("192.168.10.0/24");

    @Test
    void theFirstContainerGetsTheAddressAfterTheGateway() {
        assertEquals("192.168.10.2", Ipam.next("testbridge", SUBNET, List.of()));
    }

    @Test
    void theLowestFreeAddressIsTaken() {
        assertEquals("192.168.10.3", Ipam.next("testbridge", SUBNET, List.of("192.168.10.2", "192.168.10.5")));
        // A released address is handed out again.
        assertEquals("192.168.10.2", Ipam.next("testbridge", SUBNET, List.of("192.168.10.3")));
    }

    @Test
    void everyUsableAddressIsHandedOutOnceAndNeverTheNetworkGatewayOrBroadcast() {
        Subnet subnet = Subnet.parse("10.0.0.0/29");
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            taken.add(Ipam.next("small", subnet, taken));
        }
        assertEquals(List.of("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"), taken);
        assertFull("small", subnet, taken);
    }

    @Test
    void aSlash30HasRoomForOneContainer() {
        Subnet subnet = Subnet.parse("10.0.0.4/30");
        assertEquals("10.0.0.6", Ipam.next("tiny", subnet, List.of()));
        assertFull("tiny", subnet, List.of("10.0.0.6"));
    }

    @Test
    void aSubnetAboveTheSignBitIsCountedRight() {
        assertEquals("224.0.0.2", Ipam.next("high", Subnet.parse("224.0.0.0/24"), List.of()));
        assertFull("top", Subnet.parse("255.255.255.252/30"), List.of("255.255.255.254"));
    }

    private static void assertFull(String network, Subnet subnet, List<String> taken) {
        MydockerException e = assertThrows(MydockerException.class, () -> Ipam.next(network, subnet, taken));
        assertTrue(e.getMessage().startsWith("the network " + network + " has no free address"), e.getMessage());
    }
}
