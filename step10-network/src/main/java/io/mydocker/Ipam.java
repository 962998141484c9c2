package io.mydocker;

import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * IP address management: which address of its network a new container gets. The addresses that
 * containers hold are the leases in the network's file (see Network), which is read and written
 * under a lock: two containers started at once cannot get the same address. An address is free
 * again once its container's lease is released.
 */
final class Ipam {
    private Ipam() {
    }

    /**
     * The lowest free address of the subnet. The network's own address, the gateway (the bridge's)
     * and the broadcast address are never handed out.
     */
    // tag::next[]
    static String next(String network, Subnet subnet, Collection<String> taken) {
        Set<Integer> used = taken.stream().map(Subnet::address).collect(Collectors.toSet());
        for (int address = subnet.gateway() + 1; address != subnet.broadcast(); address++) {
            if (!used.contains(address)) {
                return Subnet.toString(address);
            }
        }
        throw new MydockerException("the network " + network + " has no free address left in " + subnet
                + "; remove one of its containers, or create a network with a larger subnet");
    }
    // end::next[]
}
