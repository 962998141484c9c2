package io.mydocker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * A container on a network, `mydocker run --net NAME [-p HOST:CONTAINER]`: its lease (an address
 * and the published ports, recorded in the network's file), and, once it runs, a veth pair from
 * the network's bridge to its eth0, its /etc/hosts and /etc/resolv.conf, and the DNAT rules of its
 * ports.
 *
 * <p>Releasing it needs nothing but the container's ID: it leads to the lease in the network's
 * file, and the lease names the address, the veth and the ports. So the container's monitor
 * releases it when the container ends, and rm when the monitor could not; releasing what is gone
 * already is no error: a release that was cut short can be done again.
 */
final class Endpoint implements AutoCloseable {
    /** The container's end of the veth pair, as docker names it. */
    static final String ETH0 = "eth0";

    private final Path root;
    private final Network network;
    private final ContainerRecord container;
    private final Network.Lease lease;

    private Endpoint(Path root, Network network, ContainerRecord container, Network.Lease lease) {
        this.root = root;
        this.network = network;
        this.container = container;
        this.lease = lease;
    }

    /**
     * Leases an address and the ports on the network for the container, and records them: the
     * lowest free address, and ports no other container has published.
     */
    // tag::create[]
    static Endpoint create(Path root, ContainerRecord container) {
        List<PortMapping> ports = PortMapping.parseAll(container.ports());
        try (Networks networks = Networks.lock(root)) {
            releaseStale(root, networks);
            Network network = networks.get(container.network());
            if (!Netlink.exists(network.bridge())) {
                // The state root outlives a reboot, the bridge and the rules do not: make them
                // again, as docker does when it starts.
                network.up();
            }
            checkPortsFree(networks.all(), ports);
            String address = Ipam.next(network.name(), network.subnet(), network.leases().values().stream()
                    .map(Network.Lease::address).toList());
            // The host's end of the veth pair: a name that is the container's, within the kernel's 15 characters.
            Network.Lease lease = new Network.Lease(address, "veth" + container.id().substring(0, 11), ports,
                    Network.Owner.current());
            network.leases().put(container.id(), lease);
            networks.save(network);
            return new Endpoint(root, network, container, lease);
        }
    }
    // end::create[]

    /** A host's port goes to one container only, whatever its network. */
    private static void checkPortsFree(List<Network> networks, List<PortMapping> ports) {
        for (Network network : networks) {
            for (Map.Entry<String, Network.Lease> held : network.leases().entrySet()) {
                for (PortMapping port : ports) {
                    if (held.getValue().ports().stream().anyMatch(port::sameHostPort)) {
                        throw PortMapping.invalid(port.toString(), "the host's port " + port.host() + "/"
                                + port.protocol()
                                + " is published already, by the container " + held.getKey());
                    }
                }
            }
        }
    }

    /**
     * Connects the container, whose init is process pid and whose root file system is rootfs, and
     * publishes its ports. Called before init runs the container's command.
     */
    // tag::connect[]
    void connect(int pid, Path rootfs) {
        writeEtc(rootfs);
        Subnet subnet = network.subnet();
        int address = Subnet.address(lease.address());
        try (Netlink netlink = Netlink.open()) {
            netlink.createVeth(lease.veth(), ETH0, pid);
            netlink.setMaster(lease.veth(), network.bridge());
            netlink.setHairpin(lease.veth());
            netlink.setUp(lease.veth());
        }
        // The container's side, seen from inside its network namespace.
        Netlink.inNamespaceOf(pid, netlink -> {
            netlink.setUp("lo");
            netlink.addAddress(ETH0, address, subnet.prefix());
            netlink.setUp(ETH0);
            netlink.addDefaultRoute(subnet.gateway());
        });
        for (PortMapping port : lease.ports()) {
            port.rules(lease.address()).forEach(Iptables.Rule::add);
        }
    }
    // end::connect[]

    /**
     * /etc/hostname, /etc/hosts, with the container's address, hostname and name, and the host's
     * /etc/resolv.conf, written into the container's own layer through its overlay, before the
     * container runs, as docker writes them. The image is not to be trusted: a link there at
     * /etc/hosts is replaced, never followed.
     */
    private void writeEtc(Path rootfs) {
        Path etc = rootfs.resolve("etc");
        if (Files.exists(etc, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(etc, LinkOption.NOFOLLOW_LINKS)) {
            throw new MydockerException("the image's /etc is not a directory, and the network's /etc/hosts goes there;"
                    + " make it a directory in the image, or run without --net");
        }
        try {
            Files.createDirectories(etc);
            replace(etc.resolve("hostname"), container.hostname() + "\n");
            replace(etc.resolve("hosts"), "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                    + lease.address() + "\t" + container.hostname()
                    + (container.name().equals(container.hostname()) ? "" : " " + container.name()) + "\n");
            replace(etc.resolve("resolv.conf"), hostResolvConf());
        } catch (IOException e) {
            throw new MydockerException("cannot write the container's /etc/hostname, /etc/hosts and /etc/resolv.conf: "
                    + e.getMessage());
        }
    }

    /**
     * Deletes what is at file (a link itself, not what it points to), then makes a new file:
     * O_EXCL follows no link.
     */
    private static void replace(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.writeString(file, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /**
     * The host's name servers. With systemd-resolved, /etc/resolv.conf names its stub at
     * 127.0.0.53, which is the container's own loopback there: take the servers that
     * systemd-resolved itself asks, as docker does.
     */
    // tag::resolv[]
    private static String hostResolvConf() throws IOException {
        Path resolvConf = Path.of("/etc/resolv.conf");
        Path upstream = Path.of("/run/systemd/resolve/resolv.conf");
        String text = Files.exists(resolvConf) ? Files.readString(resolvConf) : "";
        if (text.contains("nameserver 127.") && Files.exists(upstream)) {
            text = Files.readString(upstream);
        }
        return text;
    }
    // end::resolv[]

    /** The address leased to the container. */
    String address() {
        return lease.address();
    }

    /** Releases the container's lease: it has ended, or never ran. */
    @Override
    public void close() {
        release(root, container.id());
    }

    /**
     * Releases what the container holds on a network, from the lease alone: its ports' rules,
     * its veth pair (if the container's network namespace has not taken it along already), then
     * the lease. What is gone already is skipped, so a release can be repeated.
     */
    // tag::release[]
    static void release(Path root, String container) {
        if (!Files.isDirectory(root.resolve(Networks.NETWORKS), LinkOption.NOFOLLOW_LINKS)) {
            return; // no network was ever created
        }
        try (Networks networks = Networks.lock(root)) {
            for (Network network : networks.all()) {
                release(networks, network, container);
            }
        }
    }

    private static void release(Networks networks, Network network, String container) {
        Network.Lease lease = network.leases().get(container);
        if (lease == null) {
            return;
        }
        try {
            for (PortMapping port : lease.ports()) {
                port.rules(lease.address()).forEach(Iptables.Rule::delete);
            }
        } finally {
            try (Netlink netlink = Netlink.open()) {
                netlink.deleteLink(lease.veth());
            }
        }
        // Only once all is gone: else the lease stays, and names what is left for the next try.
        network.leases().remove(container);
        networks.save(network);
    }
    // end::release[]

    /**
     * Releases the leases of containers that have ended while their monitor could not release
     * them: it was killed (SIGKILL), or the machine went down. A container that still runs keeps
     * its lease, even without a monitor, until rm.
     */
    // tag::stale[]
    static void releaseStale(Path root, Networks networks) {
        for (Network network : networks.all()) {
            for (String container : List.copyOf(network.leases().keySet())) {
                ContainerRecord record;
                try {
                    record = Containers.loadIfThere(root, container);
                } catch (MydockerException damaged) {
                    continue; // whether it runs, its record cannot tell: rm -f finds out, and releases the lease
                }
                if (!network.leases().get(container).owner().alive() && (record == null || !record.isRunning())) {
                    release(networks, network, container);
                }
            }
        }
    }
    // end::stale[]
}
