package io.mydocker;

import static io.mydocker.Mydocker.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Networks, in a network namespace of each test's own (see NetNs), which stands for the host:
 * mydocker runs there, and its bridges, veths and rules never touch the real host's, which the
 * test checks at the end. The "outside" is a second namespace, joined to the first by a veth pair
 * with a /30 of its own; it has no route to the containers' subnet, so that only NAT gets its
 * answers back. Only addresses that the test made are ever contacted: the documentation ranges
 * 198.51.100.0/24 for the containers and 192.0.2.0/30 for the link to the outside (RFC 5737).
 */
class NetworkIT extends ContainerTestBase {
    static final String NET = "testnet";
    static final String SUBNET = "198.51.100.0/24";
    static final String GATEWAY = "198.51.100.1";
    static final String FIRST = "198.51.100.2";
    /** The host's end of the link to the outside, and the outside's. */
    static final String UPLINK = "192.0.2.1";
    static final String OUTSIDE = "192.0.2.2";
    private static final String ADDRESS = "ip -4 -o addr show eth0 | grep -o 'inet [0-9.]*'";
    /**
     * Ends a script whose last command is timeout: sh would exec that command, which would then
     * be PID 1, and PID 1 ignores the SIGTERM that timeout sends when it has no handler for it.
     */
    private static final String NOT_PID_1 = "; exit $?";

    /** The /etc/hosts of the container at address: the loopback's names, then its address, its ID and its name. */
    static String hostsOf(String address) {
        return "127\\.0\\.0\\.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                + address.replace(".", "\\.") + "\t[0-9a-f]{12} [a-z_]+\n";
    }

    @TempDir
    Path tmp;
    NetNs host;
    NetNs outside;
    private String realHost;

    @BeforeEach
    void aHostAndAnOutsideOfItsOwn() {
        realHost = NetNs.host();
        host = NetNs.create(tmp.resolve("host"));
        outside = NetNs.create(tmp.resolve("outside"));
        host.ok("ip link add uplink type veth peer name eth0 netns " + outside.file
                + " && ip addr add " + UPLINK + "/30 dev uplink && ip link set uplink up");
        outside.ok("ip addr add " + OUTSIDE + "/30 dev eth0 && ip link set eth0 up");
        // As on a host with docker, which drops what it does not forward itself.
        host.ok("iptables -w -P FORWARD DROP");
        mydocker = new Mydocker(root, host.nsenter());
    }

    @AfterEach
    void theRealHostsNetworkIsAsItWas() throws InterruptedException {
        if (host == null) {
            return; // skipped: not root
        }
        mydocker.stopBackground();
        // The containers' veths and rules are in the namespace: rm them while it is there.
        mydocker.removeAll();
        mydocker = new Mydocker(root);
        outside.close();
        host.close();
        assertEquals(realHost, NetNs.host(), "the host's own devices, iptables rules or ip_forward changed");
    }

    /**
     * One network, one container that serves its /etc on port 80, published as the host's 8080,
     * and every way to reach it, and out of it.
     */
    @Test
    void aNetworkConnectsContainersToEachOtherToTheHostAndToTheOutside() throws Exception {
        // Outside, a web server whose CGI script answers with the address it sees its client at.
        Path www = Files.createDirectories(tmp.resolve("www/cgi-bin"));
        Files.writeString(www.resolve("addr"), "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"$REMOTE_ADDR\"\n");
        assertTrue(www.resolve("addr").toFile().setExecutable(true));
        outside.start("exec busybox httpd -f -p " + OUTSIDE + ":8000 -h " + www.getParent());
        assertEquals(OUTSIDE + "\n", awaitFetch(outside, "http://" + OUTSIDE + ":8000/cgi-bin/addr"));
        assertEquals("", outside.ok("ip route | grep 198.51 || true"), "the outside has no route back to the containers");
        String before = host.snapshot();

        assertSuccess("", mydocker.run("network", "create", "--driver", "bridge", "--subnet", SUBNET, NET));
        assertSuccess("NAME              SUBNET               GATEWAY           DRIVER\n"
                + "testnet           198.51.100.0/24      198.51.100.1      bridge\n", mydocker.run("network", "ls"));
        mydocker.background("run", "--net", NET, "-p", "8080:80", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc");
        // The host reaches the container at its address.
        String hosts = awaitFetch(host, "http://" + FIRST + "/hosts");
        assertTrue(hosts.matches(hostsOf(FIRST)), hosts);
        // The published port, from another network namespace (PREROUTING's DNAT), and from the
        // host itself, at its address and at 127.0.0.1 (OUTPUT's DNAT, route_localnet, MASQUERADE).
        assertEquals(hosts, fetch(outside, "http://" + UPLINK + ":8080/hosts"));
        assertEquals(hosts, fetch(host, "http://" + UPLINK + ":8080/hosts"));
        assertEquals(hosts, fetch(host, "http://127.0.0.1:8080/hosts"));

        // A second container: eth0 and lo, its address, the default route via the gateway; it
        // reaches the first at its address, and at the published port through the host (hairpin);
        // and the outside, which sees the host's address (MASQUERADE). A port of another machine
        // is that machine's: the DNAT is for the host's own addresses only.
        String wget = "timeout 10 wget -q -O - ";
        assertSuccess(" lo\n eth0\ninet 198.51.100.3\n"
                + "default via 198.51.100.1 dev eth0 \n198.51.100.0/24 dev eth0 scope link  src 198.51.100.3 \n"
                + "1 packets received\n" + hosts + hosts + hosts + UPLINK + "\n" + "refused\n",
                mydocker.run("run", "--net", NET, "busybox", "sh", "-c", "ip -o link | cut -d: -f2 | cut -d@ -f1; "
                        + ADDRESS + "; ip route; ping -c 1 -W 10 " + FIRST + " | grep -o '1 packets received'; "
                        + wget + "http://" + FIRST + "/hosts; "
                        + wget + "http://" + UPLINK + ":8080/hosts; " + wget + "http://" + GATEWAY + ":8080/hosts; "
                        + wget + "http://" + OUTSIDE + ":8000/cgi-bin/addr; "
                        + wget + "http://" + OUTSIDE + ":8080/hosts 2>&1 | grep -o refused" + NOT_PID_1));
        // A container reaches its own published port: its packet leaves the bridge by the port it
        // came in by (hairpin mode).
        Mydocker.Result self = mydocker.run("run", "--net", NET, "-p", "8081:80", "busybox", "sh", "-c",
                "httpd -p 80 -h /etc && " + wget + "http://" + GATEWAY + ":8081/hosts" + NOT_PID_1);
        assertEquals(0, self.exitCode(), self.toString());
        assertTrue(self.out().matches(hostsOf("198.51.100.3")), self.toString());

        // route_localnet also lets the bridge take packets for 127.0.0.1 (CVE-2020-8558): a
        // container that routes 127.0.0.1 to the gateway must still not reach the host's services
        // there. Without the network's DROP rule, the listener gets a half-open connection.
        host.start("exec busybox nc -l -p 9999");
        await(() -> host.ok("ss -tln").contains(":9999 "), "the host's listener");
        Mydocker.Result attack = mydocker.run("run", "--net", NET, "busybox", "sh", "-c",
                "sysctl -q -w net.ipv4.conf.eth0.route_localnet=1 && ip route del local 127.0.0.0/8 dev lo table local"
                        + " && ip route del local 127.0.0.1 dev lo table local && ip route add 127.0.0.1/32 via " + GATEWAY
                        + " && timeout 2 nc 127.0.0.1 9999 < /dev/null" + NOT_PID_1);
        assertEquals(143, attack.exitCode(), attack.toString()); // no answer: timeout ended nc
        assertEquals("0\n", host.ok("ss -Htn state syn-recv state established | grep -c :9999 || true"),
                "a container reached the host's loopback");

        mydocker.stopBackground();
        assertSuccess(NET + "\n", mydocker.run("network", "rm", NET));
        assertEquals(before, host.snapshot(), "the bridge, a veth or a rule was left behind");
        assertSuccess("NAME              SUBNET               GATEWAY           DRIVER\n", mydocker.run("network", "list"));
    }

    @Test
    void twentyContainersStartedAtOnceGetTwentyAddresses() throws Exception {
        assertSuccess("", mydocker.run("network", "create", "--subnet", SUBNET, NET));
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        // Each writes its address into a file named after its id, then waits for the other 19:
        // all 20 hold their addresses at the same time.
        List<Process> runs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            runs.add(mydocker.background("run", "--net", NET, "-v", shared + ":/shared", "busybox", "sh", "-c",
                    ADDRESS + " > /shared/$(hostname); "
                            + "for i in $(seq 900); do [ $(ls /shared | wc -l) -ge 20 ] && exit 0; sleep 0.1; done; exit 1"));
        }
        for (Process run : runs) {
            assertEquals(0, Mydocker.waitFor(run), new String(run.getErrorStream().readAllBytes()));
        }
        Set<String> addresses = new HashSet<>();
        try (Stream<Path> files = Files.list(shared)) {
            for (Path file : files.toList()) {
                addresses.add(Files.readString(file).trim());
            }
        }
        Set<String> expected = new HashSet<>();
        for (int i = 2; i < 22; i++) {
            expected.add("inet 198.51.100." + i);
        }
        assertEquals(expected, addresses, "20 distinct addresses, the lowest free ones");
        assertSuccess(NET + "\n", mydocker.run("network", "rm", NET));
    }

    /**
     * However a container ends, its veth, its ports' rules and its address go: its command ends
     * or fails, it is OOM-killed, init cannot run the command, mydocker gets SIGTERM, or the
     * container is killed.
     */
    @Test
    void everyEndReleasesTheAddressTheVethAndThePorts() throws Exception {
        assertSuccess("", mydocker.run("network", "create", "--subnet", SUBNET, NET));
        String before = host.snapshot();
        for (String command : List.of("sh -c true", "sh -c exit\\ 3", "dd if=/dev/zero of=/dev/null bs=100M count=1",
                "/no/such/command")) {
            List<String> args = new ArrayList<>(List.of("run", "-m", "32m", "--net", NET, "-p", "8080:80", "busybox"));
            args.addAll(TryItIT.words(command));
            Mydocker.Result result = mydocker.run(args.toArray(new String[0]));
            assertTrue(Set.of(0, 3, 137, 127).contains(result.exitCode()), result.toString());
            assertEquals(before, host.snapshot(), command + ": the veth or a port's rule was left behind");
        }
        for (String how : List.of("mydocker gets SIGTERM", "the container is killed")) {
            Path shared = Files.createDirectories(tmp.resolve("shared"));
            Files.deleteIfExists(shared.resolve("ready"));
            Process run = mydocker.background("run", "--net", NET, "-p", "8080:80", "-v", shared + ":/shared", "busybox",
                    "sh", "-c", "trap 'exit 143' TERM; touch /shared/ready; sleep 1000 & wait");
            await(() -> Files.exists(shared.resolve("ready")), "the container");
            assertTrue(host.ok("iptables-save -t nat").contains("--to-destination " + FIRST + ":80"));
            if (how.startsWith("mydocker")) {
                run.destroy();
                assertEquals(143, Mydocker.waitFor(run));
            } else {
                run.descendants().forEach(ProcessHandle::destroyForcibly);
                assertEquals(137, Mydocker.waitFor(run));
            }
            assertEquals(before, host.snapshot(), how + ": the veth or a port's rule was left behind");
        }
        // The address is free again: the next container gets it.
        assertSuccess("inet " + FIRST + "\n", mydocker.run("run", "--net", NET, "busybox", "sh", "-c", ADDRESS));
        assertSuccess(NET + "\n", mydocker.run("network", "rm", NET));
    }

    /**
     * A monitor killed by SIGKILL cannot clean up. Its container runs on, reachable at its port,
     * until rm -f releases it all. If the container has ended too, its veth has gone with its
     * network namespace, but its lease and its ports' rules stay: the lease is found stale, its
     * monitor and its container being gone, and released by the next run on any network, or by
     * network rm; rm removes the rest (the base class checks it).
     */
    @Test
    void whatAKilledMonitorLeavesRmOrTheNextRunReleases() throws Exception {
        String beforeCreate = host.snapshot();
        assertSuccess("", mydocker.run("network", "create", "--subnet", SUBNET, NET));
        String before = host.snapshot();
        Mydocker.Result detached = mydocker.run("run", "-d", "--net", NET, "-p", "8080:80", "busybox", "httpd", "-f",
                "-p", "80", "-h", "/etc");
        assertEquals(0, detached.exitCode(), detached.toString());
        String id = detached.out().trim();
        ProcessHandle monitor = ProcessHandle.of(new ObjectMapper().readTree(mydocker.run("inspect", id).out())
                .get("monitor").asLong()).orElseThrow();
        monitor.destroyForcibly();
        await(() -> !monitor.isAlive(), "the monitor's end");
        assertEquals(id + "\n", awaitFetch(host, "http://127.0.0.1:8080/hostname"), "the container runs on");
        assertSuccess(id + "\n", mydocker.run("rm", "-f", id));
        assertEquals(before, host.snapshot(), "rm -f left the veth or a port's rule behind");

        killMydockerOfAContainerWithAPort();
        assertSuccess("inet " + FIRST + "\n", mydocker.run("run", "--net", NET, "-p", "8080:80", "busybox", "sh", "-c", ADDRESS));
        assertEquals(before, host.snapshot(), "the stale lease's rules were left behind");
        killMydockerOfAContainerWithAPort();
        assertSuccess(NET + "\n", mydocker.run("network", "rm", NET));
        assertEquals(beforeCreate, host.snapshot());
    }

    /** Kills a foreground mydocker, which is its container's monitor, then the container. */
    private void killMydockerOfAContainerWithAPort() throws Exception {
        Process run = mydocker.background("run", "--net", NET, "-p", "8080:80", "busybox", "sleep", "1000");
        await(() -> host.ok("iptables-save -t nat").contains("--to-destination " + FIRST + ":80"), "the port's rules");
        List<ProcessHandle> container = run.descendants().toList();
        run.destroyForcibly();
        Mydocker.waitFor(run);
        container.forEach(ProcessHandle::destroyForcibly);
        await(() -> container.stream().noneMatch(ProcessHandle::isAlive), "the container's end");
        assertTrue(host.ok("iptables-save -t nat").contains("--to-destination " + FIRST + ":80"), "the port's rules stay");
    }

    @Test
    void badInputIsOneLineExit125AndLeavesNothingBehind() throws Exception {
        assertSuccess("", mydocker.run("network", "create", "--subnet", SUBNET, NET));
        // A /30 has four addresses: the network's, the gateway's, one for a container, the broadcast.
        assertSuccess("", mydocker.run("network", "create", "--subnet", "203.0.113.0/30", "tiny"));
        mydocker.background("run", "--net", NET, "-p", "8080:80", "busybox", "sleep", "1000");
        mydocker.background("run", "--net", "tiny", "busybox", "sleep", "1000");
        await(() -> host.ok("iptables-save -t nat").contains("--to-destination " + FIRST + ":80")
                && host.ok("ip -o link show master tiny").lines().count() == 1, "the containers");
        String before = host.snapshot();
        String[] files = {Files.readString(root.resolve("networks/testnet.json")), Files.readString(root.resolve("networks/tiny.json"))};
        String[][] cases = {
            {"invalid subnet '198.51.100.0/33'", "network", "create", "--subnet", "198.51.100.0/33", "other"},
            {"invalid subnet '198.51.100.1/24': the address has host bits set; the network is 198.51.100.0/24",
                "network", "create", "--subnet", "198.51.100.1/24", "other"},
            {"overlaps 198.51.100.0/24 of the network testnet", "network", "create", "--subnet", "198.51.100.128/25", "other"},
            {"overlaps 192.0.2.0/30, which the host reaches through uplink", "network", "create", "--subnet", "192.0.0.0/16", "other"},
            {"overlaps the loopback addresses", "network", "create", "--subnet", "127.1.0.0/16", "other"},
            {"a network named testnet exists already", "network", "create", "--subnet", "203.0.113.64/26", NET},
            {"the host has a network device named uplink", "network", "create", "--subnet", "203.0.113.64/26", "uplink"},
            {"unknown network driver 'overlay'", "network", "create", "--driver", "overlay", "--subnet", "203.0.113.64/26", "other"},
            {"the kernel allows 15 characters", "network", "create", "--subnet", "203.0.113.64/26", "a234567890123456"},
            {"invalid network name '../x'", "network", "create", "--subnet", "203.0.113.64/26", "../x"},
            {"'--subnet=CIDR'", "network", "create", "other"},
            {"missing a subcommand", "network"},
            {"no such network 'nonet'; the networks are testnet, tiny", "network", "rm", "nonet"},
            {"invalid network name '../networks/testnet'", "network", "rm", "../networks/testnet"},
            {"the network testnet is in use by the container ", "network", "rm", NET},
            {"no such network 'nonet'", "run", "--net", "nonet", "busybox", "true"},
            {"the network tiny has no free address left in 203.0.113.0/30", "run", "--net", "tiny", "busybox", "true"},
            {"invalid port mapping '80'", "run", "--net", NET, "-p", "80", "busybox", "true"},
            {"the host's port 8080/tcp is published already, by the container", "run", "--net", "tiny", "-p", "8080:81", "busybox", "true"},
            {"-p needs --net", "run", "-p", "8081:80", "busybox", "true"},
        };
        for (String[] c : cases) {
            String[] args = Arrays.copyOfRange(c, 1, c.length);
            CliIT.assertOneLineError(125, c[0], mydocker.run(args));
            assertEquals(before, host.snapshot(), String.join(" ", args) + " left something behind");
            assertEquals(files[0], Files.readString(root.resolve("networks/testnet.json")), String.join(" ", args));
            assertEquals(files[1], Files.readString(root.resolve("networks/tiny.json")), String.join(" ", args));
        }
        try (Stream<Path> networks = Files.list(root.resolve("networks"))) {
            assertEquals(List.of(".lock", "testnet.json", "tiny.json"), networks.map(p -> p.getFileName().toString()).sorted().toList());
        }
        mydocker.stopBackground();
        assertSuccess(NET + "\n", mydocker.run("network", "rm", NET));
        assertSuccess("tiny\n", mydocker.run("network", "rm", "tiny"));
    }

    /**
     * /etc/hosts and /etc/resolv.conf go into the container's own layer, never into the image's,
     * which all its containers share, and never where a link in the image points.
     */
    @Test
    void theContainerGetsEtcHostsAndTheHostsResolvConfInItsOwnLayer() throws IOException {
        Path decoy = Files.writeString(tmp.resolve("decoy"), "decoy\n");
        Path decoyDir = Files.createDirectory(tmp.resolve("decoy-dir"));
        image("evil-hosts", "etc/hosts", decoy.toString(), "etc/resolv.conf", decoy.toString());
        image("evil-etc", "etc", decoyDir.toString());
        assertSuccess("", mydocker.run("network", "create", "--subnet", SUBNET, NET));
        Mydocker.Result result = mydocker.run("run", "--net", NET, "busybox", "sh", "-c", "cat /etc/hosts; echo; cat /etc/resolv.conf");
        assertEquals(0, result.exitCode(), result.toString());
        String hostsFile = result.out().substring(0, result.out().indexOf("\n\n") + 1);
        assertTrue(hostsFile.matches(hostsOf(FIRST)), result.toString());
        String resolvConf = Files.readString(Path.of("/etc/resolv.conf"));
        if (!resolvConf.contains("nameserver 127.")) {
            assertEquals(resolvConf, result.out().substring(hostsFile.length() + 1), result.toString());
        }
        assertFalse(Files.exists(root.resolve("layers/busybox/etc/hosts")), "the image's layer is shared and stays as it was");
        assertSuccess("", mydocker.run("run", "busybox", "sh", "-c", "test ! -e /etc/hosts && test ! -e /etc/resolv.conf"));

        result = mydocker.run("run", "--net", NET, "evil-hosts", "/bin/busybox", "cat", "/etc/hosts");
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.out().matches(hostsOf(FIRST)), result.toString());
        CliIT.assertOneLineError(125, "the image's /etc is not a directory",
                mydocker.run("run", "--net", NET, "evil-etc", "/bin/busybox", "true"));
        assertEquals("decoy\n", Files.readString(decoy));
        try (Stream<Path> files = Files.list(decoyDir)) {
            assertEquals(List.of(), files.toList());
        }
        assertSuccess(NET + "\n", mydocker.run("network", "rm", NET));
    }

    /** An image of busybox alone, plus symbolic links: name, target, name, target... */
    private void image(String name, String... links) throws IOException {
        Files.createDirectories(root.resolve("images"));
        try (OutputStream file = Files.newOutputStream(root.resolve("images").resolve(name + ".tar"));
                TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            TarArchiveEntry busybox = new TarArchiveEntry("bin/busybox");
            busybox.setMode(0100755);
            busybox.setSize(Files.size(BusyboxImage.BUSYBOX));
            out.putArchiveEntry(busybox);
            Files.copy(BusyboxImage.BUSYBOX, out);
            out.closeArchiveEntry();
            if (links.length > 2) {
                TarArchiveEntry etc = new TarArchiveEntry("etc/");
                out.putArchiveEntry(etc);
                out.closeArchiveEntry();
            }
            for (int i = 0; i < links.length; i += 2) {
                TarArchiveEntry link = new TarArchiveEntry(links[i], TarArchiveEntry.LF_SYMLINK);
                link.setLinkName(links[i + 1]);
                out.putArchiveEntry(link);
                out.closeArchiveEntry();
            }
        }
    }

    /** GETs url from a namespace, once. */
    private static String fetch(NetNs from, String url) {
        return from.ok("timeout 10 busybox wget -q -O - " + url);
    }

    /** GETs url from a namespace, again until the server answers. */
    private static String awaitFetch(NetNs from, String url) throws InterruptedException {
        String[] body = new String[1];
        await(() -> {
            Mydocker.Result result = from.sh("timeout 10 busybox wget -q -O - " + url);
            body[0] = result.out();
            return result.exitCode() == 0;
        }, url);
        return body[0];
    }

    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Mydocker.WAIT_SECONDS);
        while (!condition.get()) {
            if (System.nanoTime() > end) {
                fail(what + " did not come within " + Mydocker.WAIT_SECONDS + " s");
            }
            Thread.sleep(200);
        }
    }
}
