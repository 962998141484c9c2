package io.mydocker;

import static io.mydocker.Mydocker.assertSuccess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Part 1 of the fault matrix: SIGKILL one process of a container's start at one stage of it,
 * the client, the monitor or the init JVM; then `ps -a` must tell the truth (a container whose
 * PID 1 lives shows Up, no other does, and one that was never created is not listed), `rm -f` of
 * each container it lists must succeed, and FaultCase then finds nothing left and the volume
 * whole (part 5).
 *
 * <p>The test watches the start from outside, in a tight loop over /proc and the state root,
 * and stops the process that drives the start (SIGSTOP) as soon as the stage shows; it then
 * records the stage that the start has really reached, kills its victim, and lets the driver go
 * on (SIGCONT) if the victim was another process. Where a stage passes too fast to be seen, the
 * test makes it last by holding a lock that the next step waits for: the networks' lock, which
 * the monitor takes right after making the cgroup, and the containers' lock, which it takes to
 * record that the container runs, once init is ready and before its command starts. The
 * overlay's mount, which init's spawn follows at once, wakes the test through poll(2) on the
 * mount table, and the monitor is stopped before the test even looks.
 */
class KillIT extends FaultCase {
    private static final String NETWORK = "fmkill";
    private static final String SUBNET = "10.235.0.0/24";
    private static final String PORT = "18235";
    private static final String BIG = "big";
    private static final String COMMAND = "cat /data/notes.txt; sleep 600";
    /** signal(7), the same on x86_64 and aarch64. */
    private static final int SIGSTOP = 19;
    private static final int SIGCONT = 18;
    /** poll(2): urgent data, which is how a mount table says it changed. */
    private static final short POLLPRI = 2;
    /** How long a stage, or the end of whatever outlived the kill, may take: past that, it hangs. */
    private static final long TIMEOUT_SECONDS = 30;

    /** The process killed. */
    enum Victim {
        /** `mydocker run`: the monitor itself in the foreground; with -d, it only waits for the monitor. */
        CLIENT("client"),
        /** The Monitor JVM that `run -d` leaves behind. */
        MONITOR("monitor"),
        /** The init JVM, in the container's new namespaces, before it execs the command. */
        INIT("init JVM");

        private final String words;

        Victim(String words) {
            this.words = words;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    enum Run {
        FOREGROUND("run -v"),
        DETACHED("run -d --net -p -v");

        private final String words;

        Run(String words) {
            this.words = words;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    /** The stages of a start, in the order the code reaches them (Container.run). */
    enum Stage {
        UNPACK("while the image is unpacked"),
        CGROUP("after the cgroup is made"),
        OVERLAY("after the overlay is mounted"),
        INIT("after init is spawned"),
        NETWORK("during network setup"),
        READY("when init is ready, before the command starts"),
        STARTED("after the command has started");

        private final String words;

        Stage(String words) {
            this.words = words;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    /**
     * The cases, to fit in a few minutes: each stage, each process and each run at least once,
     * the monitor at every stage it lives in. Left out: the foreground client after the cgroup is
     * made and after the overlay is mounted (it spawns init a moment later, too soon for the test
     * to stop it in between), after init is spawned and after the command started (the monitor's
     * cases run the same Container.run); the `run -d` client while it unpacks (the foreground
     * client's case runs the same unpack) and after the cgroup is made (as during network setup,
     * the monitor carries on); the init JVM when it is ready (as before: the command never
     * starts); and what cannot be: the init JVM after the command started (it is the command
     * then), the `run -d` client after it (it has ended).
     */
    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of(Victim.CLIENT, Run.FOREGROUND, Stage.UNPACK));
        cases.add(Arguments.of(Victim.CLIENT, Run.FOREGROUND, Stage.READY));
        cases.add(Arguments.of(Victim.INIT, Run.FOREGROUND, Stage.INIT));
        cases.add(Arguments.of(Victim.CLIENT, Run.DETACHED, Stage.NETWORK));
        for (Stage stage : Stage.values()) {
            if (stage != Stage.UNPACK) {
                cases.add(Arguments.of(Victim.MONITOR, Run.DETACHED, stage));
            }
        }
        cases.add(Arguments.of(Victim.INIT, Run.DETACHED, Stage.NETWORK));
        return cases.stream();
    }

    @ParameterizedTest(name = "kill the {0} of `{1}` {2}")
    @MethodSource("cases")
    void killed(Victim victim, Run run, Stage stage) throws Exception {
        Image.stateRoot(root);
        String image = Image.DEFAULT;
        if (stage == Stage.UNPACK) {
            image = BIG;
            writeBigImage(root.resolve(Image.IMAGES).resolve(BIG + ".tar"));
        }
        List<String> args = new ArrayList<>(List.of("run"));
        if (run == Run.DETACHED) {
            assertSuccess("", mydocker.run("network", "create", "--subnet", SUBNET, NETWORK));
            args.addAll(List.of("-d", "--name", "fmkill", "--net", NETWORK, "-p", PORT + ":80"));
        }
        args.addAll(List.of("-v", volume + ":/data", image, "sh", "-c", COMMAND));

        FileChannel networksLock = null;
        FileChannel containersLock = null;
        if (stage == Stage.CGROUP) {
            // The monitor makes the cgroup, then waits here for the networks (Endpoint.create).
            networksLock = lock(root.resolve(Networks.NETWORKS).resolve(".lock"));
        }
        Stage reached = null;
        int driver = 0;
        int mountTable = LibC.open("/proc/self/mountinfo", LibC.O_CLOEXEC, 0);
        Start start = new Start(mydocker.background(args.toArray(new String[0])), run);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            boolean stopped = false;
            while (!stopped) {
                if (stage == Stage.READY && containersLock == null && start.id() != null) {
                    // Once the record is made: the monitor waits here to record that the container runs.
                    containersLock = lock(root.resolve(Container.CONTAINERS).resolve(Containers.LOCK));
                }
                if (stage == Stage.OVERLAY && start.monitor() != 0) {
                    // The mount is followed at once by init's spawn: sleep until the mount table
                    // changes, stop the monitor first, then look.
                    if (changed(mountTable) || start.shows(stage)) {
                        LibC.kill(start.monitor(), SIGSTOP);
                        stopped = start.shows(stage);
                        if (!stopped) {
                            LibC.kill(start.monitor(), SIGCONT);
                        }
                    }
                } else if (start.shows(stage)) {
                    LibC.kill(stage == Stage.UNPACK ? start.clientPid() : start.monitor(), SIGSTOP);
                    stopped = true;
                } else {
                    Thread.onSpinWait();
                }
                if (!stopped && System.nanoTime() > deadline) {
                    fail("the start did not reach the stage " + stage + " within " + TIMEOUT_SECONDS + " s; it reached "
                            + start.reached());
                }
            }
            driver = stage == Stage.UNPACK ? start.clientPid() : start.monitor();
            reached = start.reached();
            int target = switch (victim) {
                case CLIENT -> start.clientPid();
                case MONITOR -> start.monitor();
                case INIT -> start.init();
            };
            LibC.kill(target, LibC.SIGKILL);
        } finally {
            if (driver != 0) {
                continueIfThere(driver); // stopped, it would hang what follows; killed, it is gone
            }
            LibC.close(mountTable);
            release(networksLock);
            release(containersLock);
        }
        assertEquals(stage, reached, "the stage the kill landed in");

        // What outlived the kill ends, or finishes the start, on its own: a hang is a bug.
        assertTrue(start.client.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the client hangs after the kill");
        String clientErr = new String(start.client.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (victim == Victim.MONITOR && stage != Stage.STARTED) {
            assertEquals(125, start.client.exitValue(), clientErr);
            assertTrue(clientErr.contains("ended before the container ran"), clientErr);
        }
        awaitMonitorsDone();

        List<List<String>> rows = psAll();
        Set<String> up = new TreeSet<>();
        rows.stream().filter(row -> row.get(4).startsWith("Up")).forEach(row -> up.add(row.get(0)));
        Set<String> living = livingContainers();
        String ps = "ps -a: " + rows;
        assertEquals(living, up, "the containers whose PID 1 lives, and those ps -a shows Up; " + ps);
        boolean carriesOn = victim == Victim.CLIENT && run == Run.DETACHED && stage != Stage.UNPACK
                || stage == Stage.STARTED && victim != Victim.INIT;
        assertEquals(carriesOn ? Set.of(start.id()) : Set.of(), living, "the containers that run; " + ps);
        if (stage == Stage.UNPACK) {
            assertEquals(List.of(), rows, "a container that was never created; " + ps);
        }
        for (List<String> row : rows) {
            Mydocker.Result rm = mydocker.run("rm", "-f", row.get(0));
            assertEquals(0, rm.exitCode(), "rm -f " + row.get(0) + ": " + rm);
        }
        if (stage == Stage.UNPACK) {
            // The next run of the image unpacks it anew, over what the killed unpack left.
            Mydocker.Result again = mydocker.run("run", "--rm", BIG, "true");
            assertEquals(0, again.exitCode(), again.toString());
        }
        assertEquals(Set.of("a.bin", "dir/b.bin", "notes.txt"), checksums(volume).keySet(), "the volume's files");
    }

    /** A start watched from outside: its container, its monitor, its init, and the stage it is at. */
    private final class Start {
        final Process client;
        private final Run run;
        private final Path ourPidNamespace;
        private String id;
        private int monitor;
        private int init;

        Start(Process client, Run run) throws IOException {
            this.client = client;
            this.run = run;
            this.ourPidNamespace = Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
        }

        int clientPid() {
            return (int) client.pid();
        }

        /** The container's ID, once its directory is made; else null. */
        String id() {
            if (id == null) {
                try (Stream<Path> dirs = Files.list(root.resolve(Container.CONTAINERS))) {
                    id = dirs.filter(Files::isDirectory).map(dir -> dir.getFileName().toString()).findFirst()
                            .orElse(null);
                } catch (IOException e) {
                    return null;
                }
            }
            return id;
        }

        /** The container's monitor: the client in the foreground, else the Monitor it starts; 0 before. */
        int monitor() {
            if (monitor == 0) {
                if (run == Run.FOREGROUND) {
                    monitor = clientPid();
                } else {
                    for (int child : children(clientPid())) {
                        if (read(Path.of("/proc/" + child + "/cmdline")).contains(Monitor.class.getName())) {
                            monitor = child;
                        }
                    }
                }
            }
            return monitor;
        }

        /** init: the monitor's child in a PID namespace of its own; 0 before. */
        int init() {
            if (init == 0 && monitor() != 0) {
                for (int child : children(monitor())) {
                    try {
                        if (!Files.readSymbolicLink(Path.of("/proc/" + child + "/ns/pid")).equals(ourPidNamespace)) {
                            init = child;
                        }
                    } catch (IOException e) {
                        // ended, or not yet there
                    }
                }
            }
            return init;
        }

        /** Whether the start shows the stage, cheaply: what the loop asks again and again. */
        boolean shows(Stage stage) {
            return switch (stage) {
                case UNPACK -> unpacking();
                case CGROUP -> cgroup() != null;
                case OVERLAY -> mounted();
                case INIT -> init() != 0;
                case NETWORK -> veth();
                case READY -> ready();
                case STARTED -> started();
            };
        }

        /** The last stage that the start shows, or null if none. */
        Stage reached() {
            if (started()) {
                return Stage.STARTED;
            } else if (ready()) {
                return Stage.READY;
            } else if (veth()) {
                return Stage.NETWORK;
            } else if (init() != 0) {
                return Stage.INIT;
            } else if (mounted()) {
                return Stage.OVERLAY;
            } else if (cgroup() != null) {
                return Stage.CGROUP;
            } else if (unpacking() && id() == null) {
                return Stage.UNPACK;
            }
            return null;
        }

        /** A hidden directory in LAYERS: Tar.extract's, which it renames to the layer when done. */
        private boolean unpacking() {
            try (Stream<Path> layers = Files.list(root.resolve(Image.LAYERS))) {
                return layers.anyMatch(layer -> layer.getFileName().toString().startsWith(".")
                        && Files.isDirectory(layer));
            } catch (IOException e) {
                return false;
            }
        }

        /** The container's cgroup directory, in the first hierarchy that has it; null if none. */
        private Path cgroup() {
            if (id() == null) {
                return null;
            }
            List<Path> candidates = new ArrayList<>(List.of(Cgroup.ROOT.resolve(Cgroup.PARENT).resolve(id)));
            CgroupV1.CONTROLLERS.forEach(c -> candidates.add(Cgroup.ROOT.resolve(c).resolve(Cgroup.PARENT).resolve(id)));
            return candidates.stream().filter(Files::isDirectory).findFirst().orElse(null);
        }

        private boolean mounted() {
            return id() != null && read(Path.of("/proc/self/mountinfo"))
                    .contains(" " + Containers.dir(root, id).resolve("merged") + " ");
        }

        /** The host's end of the container's veth, in the monitor's network namespace. */
        private boolean veth() {
            return monitor() != 0 && read(Path.of("/proc/" + monitor() + "/net/dev")).contains("veth");
        }

        /** init is in the cgroup: the monitor puts it there when init says it is ready. */
        private boolean ready() {
            Path cgroup = cgroup();
            return cgroup != null && !read(cgroup.resolve("cgroup.procs")).isBlank();
        }

        /** init has become the command: sh (until then it is java, or before the exec, a copy of the monitor). */
        private boolean started() {
            return init() != 0 && read(Path.of("/proc/" + init + "/comm")).trim().equals("sh");
        }
    }

    /** The children of process pid, from each of its threads' children (proc(5)). */
    private static List<Integer> children(int pid) {
        List<Integer> children = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                for (String child : read(task.resolve("children")).trim().split(" ")) {
                    if (!child.isEmpty()) {
                        children.add(Integer.parseInt(child));
                    }
                }
            }
        } catch (IOException e) {
            // it has ended
        }
        return children;
    }

    /**
     * Whether the mount table has changed since the last call, waiting for it 20 ms at most: the
     * kernel tells poll(2) of each change in /proc/self/mountinfo, as POLLPRI (proc(5)).
     */
    private static boolean changed(int mountTable) {
        Memory fds = new Memory(8); // struct pollfd: int fd, short events, short revents
        fds.setInt(0, mountTable);
        fds.setShort(4, POLLPRI);
        fds.setShort(6, (short) 0);
        return Poll.C.poll(fds, 1, 20) > 0 && (fds.getShort(6) & POLLPRI) != 0;
    }

    /** poll(2). */
    private interface Poll extends Library {
        Poll C = Native.load("c", Poll.class);

        int poll(Pointer fds, long count, int timeoutMillis);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    private static void continueIfThere(int pid) {
        try {
            LibC.kill(pid, SIGCONT);
        } catch (LastErrorException e) {
            // killed, and gone
        }
    }

    private static FileChannel lock(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock unused = channel.lock();
        return channel;
    }

    private static void release(FileChannel lock) throws IOException {
        if (lock != null) {
            lock.close();
        }
    }

    /**
     * Waits until every monitor of the state root that outlived the kill has finished the start:
     * the container's record no longer says "created", or the monitor has ended.
     */
    private void awaitMonitorsDone() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            List<String> starting;
            try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
                starting = all.map(process -> List.of(process.info().arguments().orElse(new String[0])))
                        .filter(args -> args.contains(Monitor.class.getName()) && args.contains(root.toString()))
                        .map(args -> args.get(args.size() - 1))
                        .filter(id -> {
                            ContainerRecord record = Containers.loadIfThere(root, id);
                            return record != null && record.state().equals(ContainerRecord.CREATED);
                        })
                        .toList();
            }
            if (starting.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("the monitors of " + starting + " hang in the start");
            }
            Thread.sleep(50);
        }
    }

    /** `ps -a`'s rows, without its header: ID, image, command, created, status, ports (if any), name. */
    private List<List<String>> psAll() {
        Mydocker.Result ps = mydocker.run("ps", "-a");
        assertEquals(0, ps.exitCode(), ps.toString());
        return ps.out().lines().skip(1).map(line -> List.of(line.split(" {3,}"))).toList();
    }

    /**
     * The containers of the state root whose PID 1 lives, by what the kernel says: a process in a
     * PID namespace of its own, as its PID 1, whose root is the container's overlay.
     */
    private Set<String> livingContainers() throws IOException {
        Path ours = Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
        Pattern upper = Pattern.compile(
                "upperdir=" + Pattern.quote(root.resolve(Container.CONTAINERS).toString()) + "/([0-9a-f]+)/upper");
        Set<String> living = new TreeSet<>();
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                try {
                    if (Files.readSymbolicLink(process.resolve("ns/pid")).equals(ours)
                            || !read(process.resolve("status")).matches("(?s).*\nNSpid:[\t0-9]*\t1\n.*")) {
                        continue;
                    }
                } catch (IOException e) {
                    continue; // ended
                }
                for (String mount : read(process.resolve("mountinfo")).lines().toList()) {
                    Matcher matcher = upper.matcher(mount);
                    if (mount.split(" ")[4].equals("/") && matcher.find()) {
                        living.add(matcher.group(1));
                    }
                }
            }
        }
        return living;
    }

    /**
     * busybox with a few tens of MB of random bytes, which take a moment to unpack: long enough
     * for the test to see the unpack.
     */
    private static void writeBigImage(Path tar) throws IOException {
        Path busybox = Files.createTempFile("busybox", ".tar");
        try {
            BusyboxImage.write(BusyboxImage.BUSYBOX, busybox);
            try (InputStream file = Files.newInputStream(busybox);
                    TarArchiveInputStream in = new TarArchiveInputStream(file);
                    OutputStream out = Files.newOutputStream(tar);
                    TarArchiveOutputStream big = new TarArchiveOutputStream(out)) {
                big.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                    big.putArchiveEntry(entry);
                    in.transferTo(big);
                    big.closeArchiveEntry();
                }
                Random random = new Random(17);
                byte[] bytes = new byte[8 << 20];
                for (int i = 0; i < 5; i++) {
                    random.nextBytes(bytes);
                    TarArchiveEntry entry = new TarArchiveEntry("big/" + i + ".bin");
                    entry.setSize(bytes.length);
                    entry.setMode(0644);
                    big.putArchiveEntry(entry);
                    big.write(bytes);
                    big.closeArchiveEntry();
                }
                big.finish();
            }
        } finally {
            Files.deleteIfExists(busybox);
        }
    }
}
