package io.mydocker;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network, `mydocker network create --subnet 192.168.10.0/24 NAME`: a bridge named NAME, a
 * virtual switch in the host, whose address (the subnet's first) is its containers' gateway.
 * Each container is plugged into it by a veth pair (see Endpoint). The host routes between the
 * bridge and its other networks, and iptables rules make the containers' packets look like the
 * host's own to the outside (MASQUERADE).
 *
 * <p>This record is also the network's file under the state root (see Networks), with the leases:
 * what each of its containers holds, by container id.
 *
 * @param name   the network's name, which is also its bridge's
 * @param driver how containers are connected: bridge, the only one mydocker has
 * @param subnet the containers' addresses
 * @param leases what each container holds, by container id
 */
record Network(String name, String driver, Subnet subnet, Map<String, Lease> leases) {
    static final String BRIDGE = "bridge";
    /** The kernel's longest name for a network device: IFNAMSIZ (16) bytes, with the 0 that ends it. */
    static final int MAX_NAME = 15;
    private static final Subnet LOOPBACK = Subnet.parse("127.0.0.0/8");

    // tag::lease[]
    /**
     * What a container holds on the network, all that releasing it needs (see Endpoint.release).
     *
     * @param address its address
     * @param veth    the host's end of its veth pair, plugged into the bridge
     * @param ports   the host's ports published to it
     * @param owner   the container's monitor, which releases the lease when the container ends
     */
    record Lease(String address, String veth, List<PortMapping> ports, Owner owner) {
    }

    /**
     * A process, known by its pid and its start time (see ProcStat): once it has ended, another
     * process may get the same pid, but not the same start time.
     *
     * @param pid     its process id
     * @param started when it started, in clock ticks after boot
     */
    record Owner(int pid, long started) {
        static Owner current() {
            int self = (int) ProcessHandle.current().pid();
            return new Owner(self, ProcStat.startTime(self));
        }

        boolean alive() {
            return ProcStat.startTime(pid) == started;
        }
    }
    // end::lease[]

    /** Refuses a name that the kernel would not take for the bridge, or that is no file name. */
    static void checkName(String name) {
        if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new MydockerException("invalid network name '" + name
                    + "': use letters, digits, '_', '.' and '-', e.g. testbridge");
        }
        if (name.length() > MAX_NAME) {
            throw new MydockerException("invalid network name '" + name + "': it names the network's bridge too,"
                    + " and the kernel allows " + MAX_NAME + " characters; give a shorter one");
        }
    }

    String bridge() {
        return name;
    }

    /** `mydocker network create`: checks everything, then makes the bridge and its rules. */
    // tag::create[]
    static void create(Path root, String name, String driver, String cidr) {
        if (!driver.equals(BRIDGE)) {
            throw new MydockerException("unknown network driver '" + driver + "'; mydocker has only " + BRIDGE);
        }
        checkName(name);
        Subnet subnet = Subnet.parse(cidr);
        try (Networks networks = Networks.lock(root)) {
            if (networks.find(name) != null) {
                throw new MydockerException("a network named " + name + " exists already; choose another name,"
                        + " or remove it with mydocker network rm " + name);
            }
            if (Netlink.exists(name)) {
                throw new MydockerException("the host has a network device named " + name
                        + " already, and the network's bridge would take that name; choose another name");
            }
            checkFree(subnet, networks.all());
            Network network = new Network(name, driver, subnet, new LinkedHashMap<>());
            // Recorded first: if mydocker dies half-way, network rm finds what to remove.
            networks.save(network);
            try {
                network.up();
            } catch (RuntimeException e) {
                networks.delete(name);
                throw e;
            }
        }
    }
    // end::create[]

    /** Refuses a subnet that another network, the loopback or a route of the host already covers. */
    private static void checkFree(Subnet subnet, List<Network> networks) {
        for (Network other : networks) {
            if (subnet.overlaps(other.subnet)) {
                throw new MydockerException("the subnet " + subnet + " overlaps " + other.subnet + " of the network "
                        + other.name + "; choose another subnet");
            }
        }
        if (subnet.overlaps(LOOPBACK)) {
            throw new MydockerException("the subnet " + subnet + " overlaps the loopback addresses " + LOOPBACK
                    + "; choose another subnet");
        }
        for (Map.Entry<Subnet, String> route : routes().entrySet()) {
            if (subnet.overlaps(route.getKey())) {
                throw new MydockerException("the subnet " + subnet + " overlaps " + route.getKey() + ", which the host"
                        + " reaches through " + route.getValue() + "; choose another subnet");
            }
        }
    }

    /**
     * The host's routes but the default one, with their devices, from /proc/net/route (proc(5)):
     * a line per route, its destination and mask as the hex digits of 4 bytes in network order,
     * read as a number in the machine's byte order.
     */
    private static Map<Subnet, String> routes() {
        Map<Subnet, String> routes = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/route")).stream().skip(1).toList()) {
                String[] fields = line.trim().split("\\s+");
                int destination = networkOrder(fields[1]);
                int mask = networkOrder(fields[7]);
                if (mask != 0) {
                    routes.put(new Subnet(destination & mask, Integer.bitCount(mask)), fields[0]);
                }
            }
        } catch (IOException e) {
            throw new MydockerException("cannot read the host's routes from /proc/net/route: " + e.getMessage());
        }
        return routes;
    }

    private static int networkOrder(String hex) {
        int number = Integer.parseUnsignedInt(hex, 16);
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(number) : number;
    }

    /**
     * Makes the bridge, with the gateway's address, and brings it up. The host forwards packets
     * between its networks (ip_forward, off by default), and the bridge routes 127.0.0.1
     * (route_localnet), so that the host reaches a published port there too. Then the rules.
     */
    // tag::up[]
    void up() {
        try (Netlink netlink = Netlink.open()) {
            netlink.createBridge(name);
            try {
                netlink.addAddress(name, subnet.gateway(), subnet.prefix());
                netlink.setUp(name);
                sysctl("net/ipv4/ip_forward", "1");
                sysctl("net/ipv4/conf/" + name + "/route_localnet", "1");
                rules().forEach(Iptables.Rule::add);
            } catch (RuntimeException e) {
                try {
                    destroy(); // the bridge is ours: had it not been, creating it would have failed
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
        }
    }
    // end::up[]

    /**
     * The iptables rules of the network; those of the ports its containers publish are
     * PortMapping's.
     */
    // tag::rules[]
    List<Iptables.Rule> rules() {
        String subnet = this.subnet.toString();
        List<Iptables.Rule> rules = new ArrayList<>();
        // What the containers send elsewhere leaves with the host's address: the outside has no
        // route back to the subnet, which only this host knows.
        rules.add(new Iptables.Rule("nat", "POSTROUTING", List.of("-s", subnet, "!", "-o", name, "-j", "MASQUERADE")));
        // A host with docker drops forwarded packets (FORWARD policy DROP): let the bridge's through.
        rules.add(new Iptables.Rule("filter", "FORWARD", List.of("-i", name, "-j", "ACCEPT")));
        rules.add(new Iptables.Rule("filter", "FORWARD", List.of("-o", name, "-j", "ACCEPT")));
        // Hairpin: a container reaches a published port, and the host sends the packet back to
        // the bridge. The answer must come back through the host to be translated back, so it
        // must be addressed to the host: the packet leaves with the host's address.
        rules.add(new Iptables.Rule("nat", "POSTROUTING", List.of("-s", subnet, "-o", name,
                "-m", "conntrack", "--ctstate", "DNAT", "-j", "MASQUERADE")));
        // The host's 127.0.0.1 to a published port: a container cannot answer to 127.0.0.1, which
        // is its own loopback, so the packet leaves with the bridge's address.
        rules.add(new Iptables.Rule("nat", "POSTROUTING",
                List.of("-s", "127.0.0.0/8", "-o", name, "-j", "MASQUERADE")));
        // route_localnet would also let a container send to the host's 127.0.0.1, where services
        // listen that are meant for the host alone: only the answers of connections the host made
        // may come in.
        rules.add(new Iptables.Rule("filter", "INPUT", List.of("-i", name, "-d", "127.0.0.0/8",
                "-m", "conntrack", "!", "--ctstate", "RELATED,ESTABLISHED", "-j", "DROP")));
        return rules;
    }
    // end::rules[]

    /**
     * `mydocker network rm`: refused while a container holds a lease; else the rules, the bridge
     * and the network's file go. ip_forward stays on, as docker leaves it: something else on the
     * host may need it by now.
     */
    // tag::remove[]
    static void remove(Path root, String name) {
        checkName(name);
        try (Networks networks = Networks.lock(root)) {
            if (networks.isDamaged(name)) {
                removeDamaged(networks, name);
                return;
            }
            networks.get(name);
            Endpoint.releaseStale(root, networks);
            Network network = networks.get(name);
            if (!network.leases.isEmpty()) {
                List<String> containers = new ArrayList<>();
                for (String id : network.leases.keySet()) {
                    ContainerRecord record;
                    try {
                        record = Containers.loadIfThere(root, id);
                    } catch (MydockerException damaged) {
                        record = null; // its ID names it
                    }
                    containers.add(record == null ? id : record.name());
                }
                throw new MydockerException("the network " + name + " is in use by the container"
                        + (containers.size() == 1 ? " " : "s ") + String.join(", ", containers)
                        + "; remove " + (containers.size() == 1 ? "it" : "them") + " first with mydocker rm -f");
            }
            network.destroy();
            networks.delete(name);
        }
    }
    // end::remove[]

    /**
     * `network rm` of a network whose file cannot be read: the bridge is named after the network,
     * and the host's route to it gives the subnet, so the network's rules go too. The leases are
     * lost with the file: the rules of the ports its containers published stay.
     */
    private static void removeDamaged(Networks networks, String name) {
        for (Map.Entry<Subnet, String> route : routes().entrySet()) {
            if (route.getValue().equals(name)) {
                new Network(name, BRIDGE, route.getKey(), Map.of()).destroy();
            }
        }
        if (Netlink.exists(name)) {
            try (Netlink netlink = Netlink.open()) {
                netlink.deleteLink(name);
            }
        }
        networks.delete(name);
    }

    /**
     * Deletes the rules and the bridge (which takes its address and route_localnet along); twice
     * does no harm. The bridge goes even if a rule cannot: the network's file, kept then, still
     * names the rules for the next try.
     */
    private void destroy() {
        try {
            rules().forEach(Iptables.Rule::delete);
        } finally {
            try (Netlink netlink = Netlink.open()) {
                netlink.deleteLink(name);
            }
        }
    }

    private static void sysctl(String key, String value) {
        Path file = Path.of("/proc/sys").resolve(key);
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new MydockerException("cannot write " + value + " to " + file + ": " + e.getMessage());
        }
    }
}
