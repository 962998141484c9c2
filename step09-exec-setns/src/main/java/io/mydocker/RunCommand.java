package io.mydocker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** `mydocker run`: create a container from an image and run a command in it. */
// tag::options[]
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a command in a new container.")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-d", "--detach"}, description = "Run the container in the background, and print its ID.")
    boolean detach;

    @Option(names = "--name", paramLabel = "NAME", description = "A name for the container, unique.")
    String name;

    @Option(names = "--rm", description = "Remove the container when it exits.")
    boolean remove;

    @Option(names = "--hostname", paramLabel = "NAME", description = "The container's hostname (default: its ID).")
    String hostname;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME[=VALUE]",
            description = "Set an environment variable; NAME alone passes on yours. Repeatable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-i", "--interactive"}, description = "Connect your standard input to the container.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Give the container a terminal of its own.")
    boolean tty;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = "Memory limit, e.g. 100m.")
    String memory;

    @Option(names = {"--cpu-shares", "-cpushare"}, paramLabel = "WEIGHT",
            description = "Relative CPU weight (default 1024).")
    Integer cpuShares;

    @Option(names = "--cpus", paramLabel = "N", description = "Number of CPUs, e.g. 0.5.")
    String cpus;

    @Option(names = {"--cpuset-cpus", "-cpuset"}, paramLabel = "LIST", description = "CPUs to run on, e.g. 0-1.")
    String cpusetCpus;

    @Option(names = {"-v", "--volume"}, paramLabel = "HOST:CONTAINER[:ro]",
            description = "Bind a directory of the host into the container; repeatable.")
    List<String> volumes = new ArrayList<>();

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image, e.g. busybox.")
    String image;

    @Parameters(index = "1", arity = "0..1", paramLabel = "COMMAND", defaultValue = "sh",
            description = "The command to run (default: ${DEFAULT-VALUE}).")
    String command;

    @Parameters(index = "2..*", paramLabel = "ARG", description = "Its arguments.")
    List<String> args = new ArrayList<>();
    // end::options[]

    @Override
    public Integer call() throws InterruptedException {
        Resources resources = Resources.of(memory, cpuShares, cpus, cpusetCpus);
        List<Volume> volumes = Volume.parseAll(this.volumes);
        List<String> env = Container.variables(this.env);
        if (detach && tty) {
            throw new MydockerException(
                    "-d and -t do not go together: a container in the background has no terminal; drop -t");
        }
        if (name != null && !name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new MydockerException("invalid container name '" + name
                    + "': use letters, digits, '_', '.' and '-', starting with a letter or digit");
        }
        // No name a person types is longer than a DNS name (RFC 1035); a longer one is a mistake.
        if (name != null && name.length() > 253) {
            throw new MydockerException("invalid container name: it has " + name.length()
                    + " characters; give at most 253");
        }
        // sethostname(2) takes at most 64 bytes, and programs in the container expect a name of
        // RFC 1123's characters: a space or a newline would read as two names.
        if (hostname != null && !hostname.matches("[a-zA-Z0-9][a-zA-Z0-9.-]{0,63}")) {
            throw new MydockerException("invalid hostname '" + hostname
                    + "': use at most 64 letters, digits, '.' and '-', starting with a letter or digit");
        }
        if (LibC.geteuid() != 0) {
            throw new MydockerException("run needs root, for namespaces, mounts and cgroups; try sudo");
        }
        Path root = Image.stateRoot(main.root);
        Overlay.requireSupport(Overlay.FILESYSTEMS);
        Path layer = Image.layer(root, image);
        List<String> argv = new ArrayList<>(List.of(command));
        argv.addAll(args);
        volumes.forEach(Volume::createHostDirectory);
        // tag::detach[]
        String id = ContainerId.random();
        ContainerRecord record = Containers.create(root, ContainerRecord.created(id, name, image,
                layer.getFileName().toString(), argv, hostname == null ? id : hostname, env, interactive, tty, remove,
                resources, volumes.stream().map(Volume::toString).toList()));
        if (detach) {
            return Monitor.start(root, record);
        }
        // This mydocker is the container's monitor.
        boolean[] started = {false};
        int status;
        try (Stdio stdio = Stdio.open(interactive, tty)) {
            status = Container.run(root, record, stdio, () -> started[0] = true);
        } catch (RuntimeException e) {
            if (!started[0]) {
                Containers.remove(root, id);
            }
            throw e;
        }
        if (remove) {
            Containers.remove(root, id);
        }
        return status;
        // end::detach[]
    }
}
