package io.mydocker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** `mydocker logs`: what a detached container wrote to its stdout and stderr. */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print what a container wrote (run -d).")
final class LogsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-f", "--follow"}, description = "Go on printing what it writes, until it exits.")
    boolean follow;

    @Parameters(paramLabel = "CONTAINER", description = "Its name, its ID, or the start of its ID.")
    String container;

    // tag::logs[]
    @Override
    public Integer call() throws IOException, InterruptedException {
        Path root = main.stateRoot("logs");
        ContainerRecord record = Containers.find(root, container);
        Path log = Containers.dir(root, record.id()).resolve(Containers.LOG);
        if (!Files.exists(log)) {
            throw new MydockerException("container " + record.name() + " has no log: it ran in the foreground,"
                    + " where its output went to the terminal; run -d keeps a log");
        }
        try (InputStream in = Files.newInputStream(log)) {
            in.transferTo(System.out);
            // -f: what comes next, until the container ends (its monitor has recorded it).
            System.out.flush();
            while (follow && Containers.load(root, record.id()).isRunning()) {
                Thread.sleep(100);
                in.transferTo(System.out);
                System.out.flush();
            }
            in.transferTo(System.out);
        }
        System.out.flush();
        return 0;
    }
    // end::logs[]
}
