package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of a test's own, so that the networks its mydocker creates never touch the
 * host's devices, addresses or firewall: every bridge, veth and iptables rule is made in it, and
 * goes with it. It is kept alive by a bind mount of its /proc/PID/ns/net onto a file (unshare(1)
 * --net=FILE), and entered with nsenter(1) --net=FILE, which keeps the host's mount namespace: the
 * containers' overlay mounts stay where the tests look for them (`ip netns exec` would make a
 * mount namespace of its own).
 */
final class NetNs implements AutoCloseable {
    private static final int WAIT_SECONDS = 60;

    final Path file;
    private final List<Process> background = new ArrayList<>();

    private NetNs(Path file) {
        this.file = file;
    }

    /** A new network namespace kept at file, with its loopback up. */
    static NetNs create(Path file) {
        try {
            Files.createFile(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertOk(run(List.of("unshare", "--net=" + file, "true")));
        NetNs netns = new NetNs(file);
        netns.sh("ip link set lo up");
        return netns;
    }

    /** The words that run a command in the namespace. */
    List<String> nsenter() {
        return List.of("nsenter", "--net=" + file, "--");
    }

    /** Runs a shell command in the namespace and returns what it printed. */
    Mydocker.Result sh(String script) {
        List<String> command = new ArrayList<>(nsenter());
        command.addAll(List.of("sh", "-c", script));
        return run(command);
    }

    /** Runs a shell command in the namespace, which must succeed; returns its stdout. */
    String ok(String script) {
        return assertOk(sh(script)).out();
    }

    /** Starts a shell command in the namespace, such as a server, which close() ends if it still runs. */
    Process start(String script) throws IOException {
        List<String> command = new ArrayList<>(nsenter());
        command.addAll(List.of("sh", "-c", script));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        background.add(process);
        return process;
    }

    /**
     * What the namespace's networking looks like: the names of its devices (their state and a
     * bridge's address change as ports come and go), and its iptables rules and non-default
     * policies (iptables' tables, once made, stay, empty, as with docker: they do not count).
     */
    String snapshot() {
        return ok("ip -o link | cut -d: -f2") + rules(ok("iptables-save"));
    }

    /** The rules of iptables-save's output, each after its table, without counters. */
    static String rules(String iptablesSave) {
        StringBuilder rules = new StringBuilder();
        String table = "";
        for (String line : iptablesSave.lines().toList()) {
            if (line.startsWith("*")) {
                table = line;
            } else if (line.startsWith("-A") || line.startsWith(":") && !line.contains(" ACCEPT ")) {
                rules.append(table).append(' ').append(line.replaceAll("\\[[0-9]+:[0-9]+\\]", "")).append('\n');
            }
        }
        return rules.toString();
    }

    /** Ends what start() left running, then lets the namespace go. */
    @Override
    public void close() {
        for (Process process : background) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        assertOk(run(List.of("umount", file.toString())));
    }

    static Mydocker.Result assertOk(Mydocker.Result result) {
        assertEquals(0, result.exitCode(), result.toString());
        return result;
    }

    static Mydocker.Result run(List<String> command) {
        try {
            Path out = Files.createTempFile("netns", ".out");
            Path err = Files.createTempFile("netns", ".err");
            try {
                Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
                if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    fail(command + " did not end within " + WAIT_SECONDS + " s");
                }
                return new Mydocker.Result(process.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.delete(out);
                Files.delete(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The host's own networking, which no test may change: as snapshot(), and whether it forwards. */
    static String host() {
        Mydocker.Result link = assertOk(run(List.of("ip", "-o", "link")));
        Mydocker.Result iptables = assertOk(run(List.of("iptables-save")));
        try {
            return link.out().replaceAll(" +", " ") + rules(iptables.out())
                    + "\nip_forward " + Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
