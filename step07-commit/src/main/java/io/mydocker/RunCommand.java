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
        if (LibC.geteuid() != 0) {
            throw new MydockerException("run needs root, for namespaces, mounts and cgroups; try sudo");
        }
        Path root = Image.stateRoot(main.root);
        Overlay.requireSupport(Overlay.FILESYSTEMS);
        Path layer = Image.layer(root, image);
        List<String> argv = new ArrayList<>(List.of(command));
        argv.addAll(args);
        volumes.forEach(Volume::createHostDirectory);
        return Container.run(root, layer, argv, interactive, tty, resources, volumes);
    }
}
