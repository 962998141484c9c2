package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bytes of the rtnetlink requests, checked against the structs of rtnetlink(7) by hand, as
 * they are on a little-endian machine such as x86_64 or aarch64. Each line below is one struct or
 * one attribute: its length and type, then its value, padded to 4 bytes.
 */
class NetlinkTest {
    @BeforeEach
    void littleEndian() {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the bytes below are little-endian");
    }

    // tag::bridge[]
    @Test
    void createABridge() {
        assertBytes("""
                38000000 1000 0506 01000000 00000000
                00 00 0000 00000000 00000000 00000000
                0800 0300 62723000
                1000 1200
                  0b00 0100 62726964676500 00
                """, Netlink.createBridgeMessage("br0"));
    }
    // end::bridge[]

    @Test
    void createAVethPairWhosePeerIsInAnotherNamespace() {
        assertBytes("""
                68000000 1000 0506 01000000 00000000
                00 00 0000 00000000 00000000 00000000
                0a00 0300 7665746830 00 0000
                3c00 1200
                  0900 0100 7665746800 000000
                  2c00 0200
                    2800 0100
                      00 00 0000 00000000 00000000 00000000
                      0900 0300 6574683000 000000
                      0800 1300 34120000
                """, Netlink.createVethMessage("veth0", "eth0", 0x1234));
    }

    @Test
    void bringADeviceUp() {
        assertBytes("""
                28000000 1000 0500 01000000 00000000
                00 00 0000 00000000 01000000 01000000
                0700 0300 6c6f00 00
                """, Netlink.newLink("lo", 0, 1));
    }

    @Test
    void addAnAddress() {
        assertBytes("""
                28000000 1400 0506 01000000 00000000
                02 18 00 00 02000000
                0800 0200 c0a80a01
                0800 0100 c0a80a01
                """, Netlink.addAddressMessage(2, Subnet.address("192.168.10.1"), 24));
    }

    @Test
    void addTheDefaultRoute() {
        assertBytes("""
                24000000 1800 0506 01000000 00000000
                02 00 00 00 fe 03 00 01 00000000
                0800 0500 c0a80a01
                """, Netlink.addDefaultRouteMessage(Subnet.address("192.168.10.1")));
    }

    private static void assertBytes(String expected, Netlink.Message message) {
        assertEquals(expected.replaceAll("\\s", ""), HexFormat.of().formatHex(message.bytes(1)));
    }
}
