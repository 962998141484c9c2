package io.mydocker;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** `mydocker ps`: the containers, with docker's columns. */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List the running containers.")
final class PsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-a", "--all"}, description = "List the containers that have exited too.")
    boolean all;

    @Option(names = {"-q", "--quiet"}, description = "Print the IDs only.")
    boolean quiet;

    @Override
    public Integer call() {
        Path root = main.stateRoot("ps");
        List<List<String>> rows = new ArrayList<>(List.of(List.of("CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
                "STATUS", "NAMES")));
        List<String> damaged = new ArrayList<>();
        for (ContainerRecord record : Containers.list(root, (id, damage) -> damaged.add(damage.getMessage()))) {
            if (!all && !record.isRunning()) {
                continue;
            }
            if (quiet) {
                System.out.println(record.id());
            } else {
                rows.add(List.of(record.id(), record.image(), command(record), ago(record.created()), status(record),
                        record.name()));
            }
        }
        if (!quiet) {
            System.out.print(HumanFormat.table(rows));
        }
        // A damaged record is no row: ps names it, and fails, so that no script takes the list for whole.
        damaged.forEach(problem -> System.err.println("mydocker: " + problem));
        return damaged.isEmpty() ? 0 : MydockerException.OWN_ERROR;
    }

    // tag::status[]
    /**
     * What the container does, from its record, and from the kernel: a record that says
     * "running" is true only while its PID lives, and is still the same process. If its monitor
     * was killed, nobody recorded its end, nor its exit status.
     */
    static String status(ContainerRecord record) {
        if (record.isRunning()) {
            return "Up " + HumanFormat.duration(Duration.between(Instant.parse(record.created()), Instant.now()));
        }
        if (record.state().equals(ContainerRecord.CREATED)) {
            return "Created";
        }
        if (record.exitCode() == null) {
            return "Exited (unknown)";
        }
        return "Exited (" + record.exitCode() + ") " + ago(record.finished());
    }
    // end::status[]

    /** The command as docker shows it: quoted, and cut after 20 characters. */
    private static String command(ContainerRecord record) {
        String command = String.join(" ", record.command());
        return "\"" + (command.length() > 20 ? command.substring(0, 19) + "…" : command) + "\"";
    }

    private static String ago(String instant) {
        return HumanFormat.duration(Duration.between(Instant.parse(instant), Instant.now())) + " ago";
    }
}
