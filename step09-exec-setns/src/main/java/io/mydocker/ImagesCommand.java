package io.mydocker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** `mydocker images`: the images there are, with what docker shows of them. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List the images.")
final class ImagesCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Override
    public Integer call() throws IOException {
        Path root = main.stateRoot("images");
        List<List<String>> rows = new ArrayList<>(List.of(List.of("NAME", "IMAGE ID", "CREATED", "SIZE")));
        for (String name : Image.names(root)) {
            Path tar = Image.tar(root, name);
            Instant created = Files.getLastModifiedTime(tar).toInstant();
            rows.add(List.of(name, Image.id(tar).substring(0, 12),
                    HumanFormat.duration(Duration.between(created, Instant.now())) + " ago",
                    HumanFormat.size(Files.size(tar))));
        }
        System.out.print(HumanFormat.table(rows));
        return 0;
    }
}
