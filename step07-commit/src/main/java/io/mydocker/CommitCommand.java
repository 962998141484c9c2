package io.mydocker;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** `mydocker commit`: make an image of a running container's files. */
@Command(name = "commit", mixinStandardHelpOptions = true,
        description = "Create an image from a running container's files, as docker export writes them.")
final class CommitCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "The container's ID, which is its hostname.")
    String container;

    @Parameters(index = "1", paramLabel = "IMAGE",
            description = "The new image's name; an image of that name is replaced.")
    String image;

    @Override
    public Integer call() {
        Path root = main.stateRoot("commit");
        Path tar = Image.commit(root, Container.merged(root, container), image);
        System.out.println("sha256:" + Image.id(tar));
        return 0;
    }
}
