package io.mydocker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** `mydocker images`: the images there are, with what docker shows of them. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List the images.")
final class ImagesCommand implements Callable<Integer> {
    private static final String COLUMNS = "%-20s %-14s %-20s %s%n";

    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        if (LibC.geteuid() != 0) {
            throw new MydockerException("images needs root, to read the state root; try sudo");
        }
        Path root = Image.stateRoot(main.root);
        System.out.printf(COLUMNS, "NAME", "IMAGE ID", "CREATED", "SIZE");
        for (String name : Image.names(root)) {
            Path tar = Image.tar(root, name);
            Instant created = Files.getLastModifiedTime(tar).toInstant();
            System.out.printf(COLUMNS, name, Image.id(tar).substring(0, 12),
                    HumanFormat.duration(Duration.between(created, Instant.now())) + " ago", HumanFormat.size(Files.size(tar)));
        }
        return 0;
    }
}
