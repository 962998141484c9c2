package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** CIDR notation, as `network create --subnet` takes it. */
class SubnetTest {
    @Test
    void aSubnetHasItsNetworkGatewayAndBroadcastAddresses() {
        Subnet subnet = Subnet.parse("192.168.10.0/24");
        assertEquals("192.168.10.0/24", subnet.toString());
        assertEquals("192.168.10.0", Subnet.toString(subnet.network()));
        assertEquals("192.168.10.1", Subnet.toString(subnet.gateway()));
        assertEquals("192.168.10.255", Subnet.toString(subnet.broadcast()));
        assertEquals("10.0.3.255", Subnet.toString(Subnet.parse("10.0.0.0/22").broadcast()));
        assertEquals("255.255.255.252", Subnet.toString(Subnet.mask(30)));
    }

    @Test
    void addressesAboveTheSignBitStayPositiveInTheirText() {
        assertEquals("203.0.113.7", Subnet.toString(Subnet.address("203.0.113.7")));
        assertEquals(new Subnet(Subnet.address("224.0.0.0"), 4), Subnet.parse("224.0.0.0/4"));
    }

    @Test
    void anAddressIsSentInNetworkByteOrder() {
        assertEquals("[-64, -88, 10, 1]", java.util.Arrays.toString(Subnet.bytes(Subnet.address("192.168.10.1"))));
    }

    @Test
    void overlapsAreFoundEitherWay() {
        Subnet wide = Subnet.parse("10.0.0.0/8");
        Subnet narrow = Subnet.parse("10.1.2.0/24");
        assertTrue(wide.overlaps(narrow));
        assertTrue(narrow.overlaps(wide));
        assertTrue(narrow.overlaps(narrow));
        assertFalse(narrow.overlaps(Subnet.parse("10.1.3.0/24")));
        assertFalse(Subnet.parse("192.168.10.0/25").overlaps(Subnet.parse("192.168.10.128/25")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "192.168.10.0|prefix length",
        "192.168.10.0/|prefix length",
        "192.168.10.0/33|prefix length",
        "192.168.10.0/-1|prefix length",
        "192.168.10.0/24/1|prefix length",
        "192.168.10/24|not an IPv4 address",
        "192.168.10.256/24|not an IPv4 address",
        "192.168.10.x/24|not an IPv4 address",
        "192.168.10.0.0/24|not an IPv4 address",
        "192.168.10.1/24|host bits set; the network is 192.168.10.0/24",
        "192.168.10.0/31|give a prefix of 30 or less",
        "192.168.10.0/32|give a prefix of 30 or less",
    })
    void badSubnetsAreRefusedWithTheReason(String cidr, String why) {
        MydockerException e = assertThrows(MydockerException.class, () -> Subnet.parse(cidr));
        assertTrue(e.getMessage().startsWith("invalid subnet '" + cidr + "': ") && e.getMessage().contains(why), e.getMessage());
    }
}
