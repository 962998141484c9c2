package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing -p, as docker spells it, and the rules it becomes. */
class PortMappingTest {
    @Test
    void tcpUnlessUdpIsAskedFor() {
        assertEquals(new PortMapping(8080, 80, "tcp"), PortMapping.parse("8080:80"));
        assertEquals(new PortMapping(8080, 80, "tcp"), PortMapping.parse("8080:80/tcp"));
        assertEquals(new PortMapping(53, 5353, "udp"), PortMapping.parse("53:5353/udp"));
        assertEquals("53:5353/udp", PortMapping.parse("53:5353/udp").toString());
    }

    @Test
    void oneHostPortMayBePublishedOncePerProtocol() {
        assertEquals(2, PortMapping.parseAll(List.of("8080:80", "8080:80/udp")).size());
        MydockerException e = assertThrows(MydockerException.class, () -> PortMapping.parseAll(List.of("8080:80", "8080:81/tcp")));
        assertTrue(e.getMessage().contains("8080/tcp is published twice"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "80|HOST:CONTAINER",
        "1:2:3|HOST:CONTAINER",
        "127.0.0.1:8080:80|HOST:CONTAINER",
        "8080:80/sctp|tcp or udp",
        "8080:80/tcp/udp|tcp or udp",
        "0:80|'0' is not a port",
        "65536:80|'65536' is not a port",
        "8080:|'' is not a port",
        "http:80|'http' is not a port",
    })
    void badMappingsAreRefusedWithTheReason(String spec, String why) {
        MydockerException e = assertThrows(MydockerException.class, () -> PortMapping.parse(spec));
        assertTrue(e.getMessage().startsWith("invalid port mapping '" + spec + "': ") && e.getMessage().contains(why),
                e.getMessage());
    }

    @Test
    void theHostsPortIsTranslatedForPacketsFromElsewhereAndFromTheHostItself() {
        assertEquals(List.of(
                "-t nat -A PREROUTING -p udp -m addrtype --dst-type LOCAL --dport 53 -j DNAT --to-destination 10.0.0.2:5353",
                "-t nat -A OUTPUT -p udp -m addrtype --dst-type LOCAL --dport 53 -j DNAT --to-destination 10.0.0.2:5353"),
                PortMapping.parse("53:5353/udp").rules("10.0.0.2").stream().map(Iptables.Rule::toString).toList());
    }
}
