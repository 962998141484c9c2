package io.mydocker;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** `mydocker commit`: make an image of a container's files. */
@Command(name = "commit", mixinStandardHelpOptions = true,
        description = "Create an image from a container's files, as docker export writes them.")
final class CommitCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "CONTAINER",
            description = "The container: its name, its ID, or the start of its ID.")
    String container;

    @Parameters(index = "1", paramLabel = "IMAGE",
            description = "The new image's name; an image of that name is replaced.")
    String image;

    @Override
    public Integer call() {
        Path root = main.stateRoot("commit");
        ContainerRecord record = Containers.find(root, container);
        Path dir = Containers.dir(root, record.id());
        Path merged = dir.resolve("merged");
        // A container that has ended has its layer still, but not its merged view: mount it for
        // the time of the commit.
        boolean ended = !Mounts.under(merged).contains(merged);
        if (ended) {
            Overlay.mount(root.resolve(Image.LAYERS).resolve(record.imageId()), dir);
        }
        try {
            Path tar = Image.commit(root, merged, image);
            System.out.println("sha256:" + Image.id(tar));
        } finally {
            if (ended) {
                Overlay.unmount(dir);
            }
        }
        return 0;
    }
}
