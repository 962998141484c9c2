package io.mydocker;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * rtnetlink (rtnetlink(7)), the kernel's interface for network devices, addresses and routes:
 * what `ip link`, `ip addr` and `ip route` speak. A request is a message written to an
 * AF_NETLINK socket (netlink(7)): a header, a fixed struct, then attributes, each a
 * length, a type and a value padded to 4 bytes, some of them nesting further attributes. The
 * kernel answers each request with an acknowledgement that carries 0 or an error number.
 *
 * <p>Java has no maintained rtnetlink library, and the few messages mydocker needs are short, so
 * they are written here byte by byte, in the machine's byte order, as the kernel reads them.
 *
 * <p>A netlink socket talks to the network namespace it was opened in. Network namespaces belong
 * to threads (setns(2)), so the container's side is configured from a thread of its own that
 * enters the container's namespace, opens a socket there, and dies (see inNamespaceOf).
 */
final class Netlink implements AutoCloseable {
    static {
        Native.register(Platform.C_LIBRARY_NAME);
    }

    // From <linux/netlink.h> and <linux/rtnetlink.h>.
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_ROUTE = 0;
    private static final int NLMSG_ERROR = 2;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_SETLINK = 19;
    static final int RTM_NEWADDR = 20;
    static final int RTM_NEWROUTE = 24;
    private static final int AF_UNSPEC = 0;
    private static final int AF_INET = 2;
    private static final int AF_BRIDGE = 7;
    /** netdevice(7): the device is up. */
    private static final int IFF_UP = 0x1;
    // Attributes of a link (<linux/if_link.h>), of a veth pair (<linux/veth.h>) and of a bridge's port.
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_MASTER = 10;
    private static final int IFLA_PROTINFO = 12;
    private static final int IFLA_LINKINFO = 18;
    private static final int IFLA_NET_NS_PID = 19;
    private static final int IFLA_INFO_KIND = 1;
    private static final int IFLA_INFO_DATA = 2;
    private static final int VETH_INFO_PEER = 1;
    private static final int IFLA_BRPORT_MODE = 4;
    private static final int NLA_F_NESTED = 0x8000;
    // Attributes of an address (<linux/if_addr.h>) and of a route.
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int RTA_GATEWAY = 5;
    private static final int RT_TABLE_MAIN = 254;
    private static final int RTPROT_BOOT = 3;
    private static final int RT_SCOPE_UNIVERSE = 0;
    private static final int RTN_UNICAST = 1;
    // errno(3)
    private static final int EEXIST = 17;
    private static final int ENODEV = 19;

    /** socket(2) */
    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    /** send(2): to the kernel, the only peer a netlink socket has until it binds. */
    private static native long send(int socket, byte[] buffer, long length, int flags) throws LastErrorException;

    /** recv(2) */
    private static native long recv(int socket, byte[] buffer, long length, int flags) throws LastErrorException;

    /** if_nametoindex(3): the number of the network device named name, or 0 if there is none. */
    private static native int if_nametoindex(String name);

    private final int socket;
    private int sequence;

    private Netlink(int socket) {
        this.socket = socket;
    }

    /** A socket for the network namespace of the calling thread. */
    static Netlink open() {
        try {
            return new Netlink(socket(AF_NETLINK, SOCK_RAW | LibC.SOCK_CLOEXEC, NETLINK_ROUTE));
        } catch (LastErrorException e) {
            throw LibC.failure("socket(AF_NETLINK)", e);
        }
    }

    /**
     * Runs configure with a socket in the network namespace of process pid, from a thread of its
     * own: setns(2) moves only the calling thread, and the thread dies with the namespace it
     * entered, so that no other work of the JVM's ever runs there.
     */
    // tag::namespace[]
    static void inNamespaceOf(int pid, Consumer<Netlink> configure) {
        Namespaces.onThrowAwayThread(() -> {
            try {
                int namespace = LibC.open("/proc/" + pid + "/ns/net", LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
                try {
                    LibC.setns(namespace, LibC.CLONE_NEWNET);
                } finally {
                    LibC.close(namespace);
                }
            } catch (LastErrorException e) {
                throw LibC.failure("cannot enter the network namespace of the container's process " + pid, e);
            }
            try (Netlink netlink = open()) {
                configure.accept(netlink);
            }
            return 0;
        });
    }
    // end::namespace[]

    // tag::operations[]
    /** ip link add NAME type bridge */
    void createBridge(String name) {
        request("create the bridge " + name, createBridgeMessage(name));
    }

    static Message createBridgeMessage(String name) {
        return newLink(name, NLM_F_CREATE | NLM_F_EXCL, 0)
                .begin(IFLA_LINKINFO).attribute(IFLA_INFO_KIND, "bridge").end();
    }

    /**
     * ip link add NAME type veth peer name PEER netns PID: a pair of devices joined like the two
     * ends of a cable. The peer is made right in the network namespace of process pid.
     */
    void createVeth(String name, String peer, int pid) {
        request("create the veth pair " + name + " and " + peer, createVethMessage(name, peer, pid));
    }

    static Message createVethMessage(String name, String peer, int pid) {
        return newLink(name, NLM_F_CREATE | NLM_F_EXCL, 0)
                .begin(IFLA_LINKINFO).attribute(IFLA_INFO_KIND, "veth")
                .begin(IFLA_INFO_DATA).begin(VETH_INFO_PEER)
                .ifinfomsg(AF_UNSPEC, 0, 0, 0).attribute(IFLA_IFNAME, peer).attribute(IFLA_NET_NS_PID, pid)
                .end().end().end();
    }

    /** ip link set NAME master BRIDGE: plugs a device into a bridge. */
    void setMaster(String name, String bridge) {
        request("plug " + name + " into the bridge " + bridge,
                newLink(name, 0, 0).attribute(IFLA_MASTER, index(bridge)));
    }

    /** ip link set NAME up */
    void setUp(String name) {
        request("bring " + name + " up", newLink(name, 0, IFF_UP));
    }

    /**
     * bridge link set dev NAME hairpin on: the bridge may send a packet back out of the port it
     * came in by, as when a container reaches its own published port through the host.
     */
    void setHairpin(String name) {
        request("turn hairpin mode on for " + name, new Message(RTM_SETLINK, 0).ifinfomsg(AF_BRIDGE, index(name), 0, 0)
                .begin(IFLA_PROTINFO | NLA_F_NESTED).attribute(IFLA_BRPORT_MODE, (byte) 1).end());
    }

    /** ip addr add ADDRESS/PREFIX dev NAME */
    void addAddress(String name, int address, int prefix) {
        request("add the address " + Subnet.toString(address) + "/" + prefix + " to " + name,
                addAddressMessage(index(name), address, prefix));
    }

    static Message addAddressMessage(int index, int address, int prefix) {
        return new Message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL).ifaddrmsg(AF_INET, prefix, index)
                .attribute(IFA_LOCAL, Subnet.bytes(address)).attribute(IFA_ADDRESS, Subnet.bytes(address));
    }

    /** ip route add default via GATEWAY */
    void addDefaultRoute(int gateway) {
        request("add the default route via " + Subnet.toString(gateway), addDefaultRouteMessage(gateway));
    }

    static Message addDefaultRouteMessage(int gateway) {
        return new Message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL)
                .rtmsg(AF_INET, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST)
                .attribute(RTA_GATEWAY, Subnet.bytes(gateway));
    }

    /** ip link del NAME; false if there was no such device. Deleting one end of a veth pair deletes both. */
    boolean deleteLink(String name) {
        int error = call(new Message(RTM_DELLINK, 0).ifinfomsg(AF_UNSPEC, 0, 0, 0).attribute(IFLA_IFNAME, name));
        if (error != 0 && error != ENODEV) {
            throw failure("delete " + name, error);
        }
        return error == 0;
    }
    // end::operations[]

    /**
     * RTM_NEWLINK for the device called name, found by its name (index 0). With NLM_F_CREATE it
     * makes the device, else it changes it; flags are the device flags to turn on, such as IFF_UP.
     */
    static Message newLink(String name, int create, int flags) {
        return new Message(RTM_NEWLINK, create).ifinfomsg(AF_UNSPEC, 0, flags, flags).attribute(IFLA_IFNAME, name);
    }

    /** Whether the calling thread's network namespace has a device named name. */
    static boolean exists(String name) {
        return if_nametoindex(name) != 0;
    }

    private static int index(String name) {
        int index = if_nametoindex(name);
        if (index == 0) {
            throw new MydockerException("there is no network device " + name);
        }
        return index;
    }

    private void request(String operation, Message message) {
        int error = call(message);
        if (error != 0) {
            throw failure(operation, error);
        }
    }

    private static MydockerException failure(String operation, int error) {
        String hint = error == EEXIST ? "; a device of that name exists already" : "";
        return new MydockerException("cannot " + operation + ": " + LibC.strerror(error) + hint);
    }

    /** Sends a request and reads the kernel's acknowledgement: 0, or the error number. */
    // tag::call[]
    private int call(Message message) {
        byte[] request = message.bytes(++sequence);
        byte[] reply = new byte[8192];
        int length;
        try {
            LibC.restartOnEintr(() -> send(socket, request, request.length, 0));
            length = (int) LibC.restartOnEintr(() -> recv(socket, reply, reply.length, 0));
        } catch (LastErrorException e) {
            throw LibC.failure("netlink", e);
        }
        // struct nlmsghdr (length, type, flags, sequence, port), then struct nlmsgerr: the error,
        // negated, and the request it answers.
        ByteBuffer in = ByteBuffer.wrap(reply, 0, length).order(ByteOrder.nativeOrder());
        if (length < 20 || in.getShort(4) != NLMSG_ERROR || in.getInt(8) != sequence) {
            throw new MydockerException("netlink: the kernel's answer is not the acknowledgement of request "
                    + sequence);
        }
        return -in.getInt(16);
    }
    // end::call[]

    @Override
    public void close() {
        LibC.close(socket);
    }

    /** A request being written: struct nlmsghdr, then a struct, then attributes. */
    // tag::message[]
    static final class Message {
        private final ByteBuffer buffer = ByteBuffer.allocate(1024).order(ByteOrder.nativeOrder());
        private final Deque<Integer> nested = new ArrayDeque<>();

        /** struct nlmsghdr: its length and sequence number are filled in by bytes(). */
        Message(int type, int flags) {
            buffer.putInt(0).putShort((short) type).putShort((short) (NLM_F_REQUEST | NLM_F_ACK | flags))
                    .putInt(0).putInt(0);
        }

        /** struct ifinfomsg: which device, and which of its flags to change. */
        Message ifinfomsg(int family, int index, int flags, int change) {
            buffer.put((byte) family).put((byte) 0).putShort((short) 0).putInt(index).putInt(flags).putInt(change);
            return this;
        }

        /** struct ifaddrmsg: an address of the given prefix length on a device. */
        Message ifaddrmsg(int family, int prefix, int index) {
            buffer.put((byte) family).put((byte) prefix).put((byte) 0).put((byte) RT_SCOPE_UNIVERSE).putInt(index);
            return this;
        }

        /** struct rtmsg: a route to 0.0.0.0/0, the default route. */
        Message rtmsg(int family, int table, int protocol, int scope, int type) {
            buffer.put((byte) family).put((byte) 0).put((byte) 0).put((byte) 0)
                    .put((byte) table).put((byte) protocol).put((byte) scope).put((byte) type).putInt(0);
            return this;
        }

        Message attribute(int type, byte[] value) {
            buffer.putShort((short) (4 + value.length)).putShort((short) type).put(value);
            while (buffer.position() % 4 != 0) {
                buffer.put((byte) 0);
            }
            return this;
        }

        /** A name, as C has it: ending in a 0 byte. */
        Message attribute(int type, String value) {
            return attribute(type, (value + "\0").getBytes(StandardCharsets.US_ASCII));
        }

        Message attribute(int type, int value) {
            return attribute(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
        }

        Message attribute(int type, byte value) {
            return attribute(type, new byte[] {value});
        }

        /** Starts an attribute whose value is the attributes up to the matching end(). */
        Message begin(int type) {
            nested.push(buffer.position());
            buffer.putShort((short) 0).putShort((short) type);
            return this;
        }

        Message end() {
            int start = nested.pop();
            buffer.putShort(start, (short) (buffer.position() - start));
            return this;
        }

        byte[] bytes(int sequence) {
            buffer.putInt(0, buffer.position()).putInt(8, sequence);
            return Arrays.copyOf(buffer.array(), buffer.position());
        }
    }
    // end::message[]
}
