package io.mydocker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** `mydocker inspect`: a container's record, as JSON. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a container's record: what it is made of, its state, its PID.")
final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "CONTAINER", description = "Its name, its ID, or the start of its ID.")
    String container;

    @Override
    public Integer call() throws IOException {
        Path root = main.stateRoot("inspect");
        ContainerRecord record = Containers.find(root, container);
        System.out.println(Files.readString(Containers.dir(root, record.id()).resolve(Containers.RECORD)));
        return 0;
    }
}
