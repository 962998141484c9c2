package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * exec: a command in a running container, in its namespaces, its root, its cgroup and its
 * environment; and never on the host.
 */
class ExecIT extends ContainerTestBase {
    /** Where a command that escaped to the host would leave its mark. */
    @TempDir
    Path host;

    private String detach(String... args) {
        List<String> run = new ArrayList<>(List.of("run", "-d"));
        run.addAll(List.of(args));
        Mydocker.Result result = mydocker.run(run.toArray(new String[0]));
        assertEquals(0, result.exitCode(), result.toString());
        return result.out().trim();
    }

    private int pid(String container) {
        Mydocker.Result inspect = mydocker.run("inspect", container);
        String line = inspect.out().lines().filter(l -> l.trim().startsWith("\"pid\"")).findFirst().orElseThrow();
        return Integer.parseInt(line.replaceAll("[^0-9]", ""));
    }

    @Test
    void theCommandIsInEachOfTheContainersNamespaces() throws Exception {
        detach("--name", "box", "busybox", "sleep", "1000");
        int pid = pid("box");
        for (String namespace : List.of("ipc", "uts", "net", "pid", "mnt")) {
            Mydocker.Result inside = mydocker.run("exec", "box", "readlink", "/proc/self/ns/" + namespace);
            Mydocker.assertSuccess(Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + namespace)) + "\n", inside);
        }
        // PID 1 is the container's sleep, and nothing of the host is in sight.
        Mydocker.assertSuccess("1 sleep\n",
                mydocker.run("exec", "box", "sh", "-c", "ps -o pid,comm | awk '$2 == \"sleep\" {print $1, $2}'"));
    }

    @Test
    void theCommandSeesTheContainersRootAndIsInItsCgroup() throws Exception {
        String id = detach("--name", "box", "-m", "64m", "busybox", "sh", "-c", "echo mine > /inside; exec sleep 1000");
        Files.writeString(host.resolve("marker"), "host\n");
        Mydocker.Result result = mydocker.run("exec", "box", "sh", "-c",
                "cat /inside; test -e " + host.resolve("marker") + " || echo no host file; grep -c /mydocker/" + id + " /proc/self/cgroup");
        assertEquals(0, result.exitCode(), result.toString());
        List<String> lines = result.out().lines().toList();
        assertEquals(List.of("mine", "no host file"), lines.subList(0, 2));
        assertTrue(Integer.parseInt(lines.get(2)) >= 1, "in the container's cgroup from its first instruction: " + result);
        // The container's memory limit applies to it.
        assertEquals(137, mydocker.run("exec", "box", "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1").exitCode());
    }

    @Test
    void theEnvironmentIsTheContainersAndExecsNeverTheHosts() {
        // The tests run mydocker with JAVA_HOME set: -e JAVA_HOME passes it on, as docker does.
        detach("--name", "nest", "-e", "bird=123", "-e", "spaced=a b=c", "-e", "JAVA_HOME", "busybox", "sleep", "1000");
        Mydocker.Result result = mydocker.run("exec", "-e", "luck=bird", "-e", "bird=456", "nest", "env");
        assertEquals(0, result.exitCode(), result.toString());
        List<String> env = result.out().lines().sorted().toList();
        assertTrue(env.contains("bird=456") && env.contains("luck=bird") && env.contains("spaced=a b=c"), env.toString());
        assertTrue(env.contains("JAVA_HOME=" + System.getProperty("java.home")), "-e NAME takes the caller's: " + env);
        assertEquals(List.of("HOME=/root", "JAVA_HOME=" + System.getProperty("java.home"), "LANG=C.UTF-8",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "bird=456", "luck=bird", "spaced=a b=c"), env,
                "nothing of the host's environment but what -e named");
    }

    @Test
    void theCommandIsLookedForOnTheContainersPath() {
        detach("--name", "opt", "-e", "PATH=/opt/bin:/bin", "busybox", "sh", "-c", "mkdir -p /opt/bin"
                + " && printf '#!/bin/sh\\necho found\\n' > /opt/bin/hello && chmod +x /opt/bin/hello && exec sleep 1000");
        Mydocker.assertSuccess("", mydocker.run("exec", "opt", "sh", "-c", "until [ -x /opt/bin/hello ]; do sleep 0.1; done"));
        Mydocker.assertSuccess("found\n", mydocker.run("exec", "opt", "hello"));
        // exec -e PATH replaces the container's.
        assertEquals(127, mydocker.run("exec", "-e", "PATH=/bin", "opt", "hello").exitCode());
    }

    @Test
    void argumentsStdinAndExitStatusPassThrough() {
        detach("--name", "box", "busybox", "sleep", "1000");
        Mydocker.assertSuccess("a  b\n", mydocker.run("exec", "box", "sh", "-c", "echo \"a  b\""));
        Mydocker.assertSuccess("hello\n", mydocker.runWithInput("hello\n", "exec", "-i", "box", "cat"));
        Mydocker.assertSuccess("", mydocker.runWithInput("hello\n", "exec", "box", "cat"));
        assertEquals(7, mydocker.run("exec", "box", "sh", "-c", "exit 7").exitCode());
        CliIT.assertOneLineError(127, "nosuch: command not found", mydocker.run("exec", "box", "nosuch"));
        CliIT.assertOneLineError(126, "/etc/passwd: cannot execute", mydocker.run("exec", "box", "/etc/passwd"));
        Mydocker.assertSuccess("/etc\n", mydocker.run("exec", "-w", "/etc", "box", "pwd"));
        CliIT.assertOneLineError(125, "-w /no/such: chdir", mydocker.run("exec", "-w", "/no/such", "box", "pwd"));
    }

    @Test
    void nothingRunsForAnExitedOrUnknownContainerNeitherInItNorOnTheHost() {
        mydocker.run("run", "--name", "gone", "busybox", "true");
        Path mark = host.resolve("ran");
        for (String container : List.of("gone", "ghost")) {
            Mydocker.Result result = mydocker.run("exec", container, "/bin/touch", mark.toString());
            CliIT.assertOneLineError(125, container.equals("gone") ? "is not running" : "no such container", result);
            assertFalse(Files.exists(mark), "the command ran on the host");
        }
    }

    @Test
    void execWhileTheContainerIsStoppedLeavesNothing() throws Exception {
        detach("--name", "stopping", "busybox", "sleep", "1000");
        Process exec = mydocker.background("exec", "stopping", "sleep", "1000");
        Thread.sleep(1000);
        Mydocker.assertSuccess("stopping\n", mydocker.run("stop", "-t", "1", "stopping"));
        // PID 1 ended, and the kernel killed the rest of its PID namespace with it.
        assertEquals(137, Mydocker.waitFor(exec));
        Mydocker.assertSuccess("stopping\n", mydocker.run("rm", "stopping"));
    }

    @Test
    void runDashEIsCheckedAndNeverTakesTheHostsEnvironment() {
        CliIT.assertOneLineError(125, "invalid environment variable '=x'", mydocker.run("run", "-e", "=x", "busybox", "true"));
        Mydocker.Result result = mydocker.run("run", "--rm", "-e", "A=1", "-e", "NO_SUCH_VARIABLE_HERE", "busybox", "env");
        assertEquals(0, result.exitCode(), result.toString());
        assertEquals(Map.of("A", "1"), result.out().lines().filter(line -> !line.matches("(PATH|HOME|LANG|HOSTNAME)=.*"))
                .collect(java.util.stream.Collectors.toMap(line -> line.split("=")[0], line -> line.split("=", 2)[1])));
    }
}
