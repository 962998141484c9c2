package io.mydocker;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** `mydocker stop`: SIGTERM, a grace period, SIGKILL. */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop running containers.")
final class StopCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", defaultValue = "10",
            description = "How long to wait after SIGTERM before SIGKILL (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Its name, its ID, or the start of its ID.")
    List<String> containers;

    @Override
    public Integer call() throws InterruptedException {
        if (seconds < 0) {
            throw new MydockerException("invalid -t " + seconds + ": give the seconds to wait, 0 or more");
        }
        Path root = main.stateRoot("stop");
        for (String container : containers) {
            Container.stop(root, Containers.find(root, container), seconds);
            System.out.println(container);
        }
        return 0;
    }
}
