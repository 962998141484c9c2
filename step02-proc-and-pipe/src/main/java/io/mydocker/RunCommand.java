package io.mydocker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `mydocker run`: create a container and run a command in it. */
// tag::options[]
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a command in a new container.")
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-i", "--interactive"}, description = "Connect your standard input to the container.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Give the container a terminal of its own.")
    boolean tty;

    @Parameters(index = "0", paramLabel = "COMMAND", description = "The command to run.")
    String command;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Its arguments.")
    List<String> args = new ArrayList<>();
    // end::options[]

    @Override
    public Integer call() throws InterruptedException {
        if (LibC.geteuid() != 0) {
            throw new MydockerException("run needs root, for namespaces and mounts; try sudo");
        }
        List<String> argv = new ArrayList<>(List.of(command));
        argv.addAll(args);
        return Container.run(argv, interactive, tty);
    }
}
