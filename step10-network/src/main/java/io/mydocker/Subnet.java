package io.mydocker;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An IPv4 subnet in CIDR notation, such as 192.168.10.0/24: the first 24 bits name the network,
 * the other 8 number its 256 addresses. The first of them is the network's own address and the
 * last its broadcast address, which no machine may have; mydocker gives the second to the bridge,
 * as the containers' gateway. Addresses are ints here, so that a subnet is a range of numbers.
 *
 * @param network the network's address, with all the host bits 0
 * @param prefix  how many leading bits name the network
 */
record Subnet(int network, int prefix) {
    /** Parses "192.168.10.0/24"; the address must be the network's own, as docker asks. */
    @JsonCreator
    static Subnet parse(String cidr) {
        String[] parts = cidr.split("/", -1);
        if (parts.length != 2 || !parts[1].matches("[0-9]{1,2}") || Integer.parseInt(parts[1]) > 32) {
            throw invalid(cidr, "give an IPv4 network and its prefix length, such as 192.168.10.0/24");
        }
        int prefix = Integer.parseInt(parts[1]);
        int address;
        try {
            address = address(parts[0]);
        } catch (IllegalArgumentException e) {
            throw invalid(cidr, e.getMessage());
        }
        if (prefix > 30) {
            throw invalid(cidr, "a /" + prefix + " has no address left for a container once the network, gateway"
                    + " and broadcast addresses are taken; give a prefix of 30 or less");
        }
        Subnet subnet = new Subnet(address & mask(prefix), prefix);
        if (subnet.network != address) {
            throw invalid(cidr, "the address has host bits set; the network is " + subnet);
        }
        return subnet;
    }

    private static MydockerException invalid(String cidr, String why) {
        return new MydockerException("invalid subnet '" + cidr + "': " + why);
    }

    /** The bits that name the network: /24 is 255.255.255.0. */
    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** The bridge's address, the containers' default gateway: the first after the network's own. */
    int gateway() {
        return network + 1;
    }

    /** The last address, to which a packet reaches every machine on the network. */
    int broadcast() {
        return network | ~mask(prefix);
    }

    boolean contains(int address) {
        return (address & mask(prefix)) == network;
    }

    /** Two subnets overlap when one contains the other's network address. */
    boolean overlaps(Subnet other) {
        return contains(other.network) || other.contains(network);
    }

    /** A dotted-quad address, such as 192.168.10.1, as an int. */
    static int address(String dotted) {
        String[] bytes = dotted.split("\\.", -1);
        if (bytes.length != 4) {
            throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address such as 192.168.10.0");
        }
        int address = 0;
        for (String b : bytes) {
            if (!b.matches("[0-9]{1,3}") || Integer.parseInt(b) > 255) {
                throw new IllegalArgumentException("'" + dotted + "' is not an IPv4 address such as 192.168.10.0");
            }
            address = address << 8 | Integer.parseInt(b);
        }
        return address;
    }

    static String toString(int address) {
        return (address >>> 24) + "." + (address >> 16 & 0xff) + "." + (address >> 8 & 0xff) + "." + (address & 0xff);
    }

    /** The four bytes of an address, in network byte order (big-endian), as the kernel takes them. */
    static byte[] bytes(int address) {
        return new byte[] {(byte) (address >>> 24), (byte) (address >> 16), (byte) (address >> 8), (byte) address};
    }

    @JsonValue
    @Override
    public String toString() {
        return toString(network) + "/" + prefix;
    }
}
