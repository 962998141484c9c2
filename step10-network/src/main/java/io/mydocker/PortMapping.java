package io.mydocker;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * A published port, `-p HOST:CONTAINER[/tcp|/udp]`: what arrives at the host's port HOST reaches
 * the container's port CONTAINER. Nothing listens on the host's port: the kernel rewrites the
 * destination of each new connection (DNAT, in iptables' nat table) to the container's address
 * and port, and conntrack rewrites the replies back.
 *
 * @param host      the host's port
 * @param container the container's port
 * @param protocol  tcp or udp
 */
record PortMapping(int host, int container, String protocol) {
    // tag::parse[]
    @JsonCreator
    static PortMapping parse(String spec) {
        String[] protocol = spec.split("/", -1);
        if (protocol.length > 2 || protocol.length == 2 && !protocol[1].equals("tcp") && !protocol[1].equals("udp")) {
            throw invalid(spec, "the protocol is tcp or udp, e.g. -p 8080:80/udp");
        }
        String[] ports = protocol[0].split(":", -1);
        if (ports.length != 2) {
            throw invalid(spec, "give HOST:CONTAINER, e.g. -p 8080:80");
        }
        return new PortMapping(port(spec, ports[0]), port(spec, ports[1]), protocol.length == 2 ? protocol[1] : "tcp");
    }
    // end::parse[]

    private static int port(String spec, String port) {
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw invalid(spec, "'" + port + "' is not a port, a number from 1 to 65535");
        }
        return Integer.parseInt(port);
    }

    /** Parses every -p; one host port cannot go to two places. */
    static List<PortMapping> parseAll(List<String> specs) {
        List<PortMapping> mappings = new ArrayList<>();
        for (String spec : specs) {
            PortMapping mapping = parse(spec);
            if (mappings.stream().anyMatch(mapping::sameHostPort)) {
                throw invalid(spec, "the host's port " + mapping.host + "/" + mapping.protocol + " is published twice");
            }
            mappings.add(mapping);
        }
        return mappings;
    }

    static MydockerException invalid(String spec, String why) {
        return new MydockerException("invalid port mapping '" + spec + "': " + why);
    }

    boolean sameHostPort(PortMapping other) {
        return host == other.host && protocol.equals(other.protocol);
    }

    /**
     * The DNAT rules that send the host's port to address:container. Only for packets addressed
     * to the host itself (addrtype LOCAL): a container that talks to port HOST of another machine
     * must reach that machine. PREROUTING sees what arrives from other machines, other network
     * namespaces and the containers; OUTPUT what the host sends itself, to 127.0.0.1 too.
     */
    // tag::rules[]
    List<Iptables.Rule> rules(String address) {
        List<String> match = List.of("-p", protocol, "-m", "addrtype", "--dst-type", "LOCAL",
                "--dport", Integer.toString(host), "-j", "DNAT", "--to-destination", address + ":" + container);
        return List.of(new Iptables.Rule("nat", "PREROUTING", match), new Iptables.Rule("nat", "OUTPUT", match));
    }
    // end::rules[]

    @JsonValue
    @Override
    public String toString() {
        return host + ":" + container + "/" + protocol;
    }
}
