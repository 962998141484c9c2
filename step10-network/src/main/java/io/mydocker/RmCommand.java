package io.mydocker;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** `mydocker rm`: a container's record, log and layer, and whatever it still holds, gone. */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove containers.")
final class RmCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-f", "--force"}, description = "Kill a running container first.")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Its name, its ID, or the start of its ID.")
    List<String> containers;

    // tag::rm[]
    @Override
    public Integer call() throws InterruptedException {
        Path root = main.stateRoot("rm");
        for (String container : containers) {
            if (force && Containers.isDamaged(root, container)) {
                // Its record cannot tell whether it runs: its cgroup, named by its ID, holds what does.
                Cgroup.kill(Cgroup.ROOT, container);
                Container.release(root, container);
                Containers.remove(root, container);
                System.out.println(container);
                continue;
            }
            ContainerRecord record = Containers.find(root, container);
            if (record.isRunning() || record.hasMonitor()) {
                if (!force) {
                    throw new MydockerException(1, "cannot remove the running container " + record.name()
                            + "; stop it first, or use -f");
                }
                Container.stop(root, record, 0);
            }
            // What a killed monitor could not release: its mount, its cgroup.
            Container.release(root, record.id());
            Containers.remove(root, record.id());
            System.out.println(container);
        }
        return 0;
    }
    // end::rm[]
}
