package io.mydocker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** `mydocker exec`: run a command in a running container. */
// tag::options[]
@Command(name = "exec", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a command in a running container.")
final class ExecCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = {"-i", "--interactive"}, description = "Connect your standard input to the command.")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = "Give the command a terminal of its own.")
    boolean tty;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME[=VALUE]",
            description = "Set an environment variable, besides the container's; repeatable.")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", defaultValue = "/",
            description = "The command's working directory in the container (default: ${DEFAULT-VALUE}).")
    String workdir;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Its name, its ID, or the start of its ID.")
    String container;

    @Parameters(index = "1", paramLabel = "COMMAND", description = "The command to run.")
    String command;

    @Parameters(index = "2..*", paramLabel = "ARG", description = "Its arguments.")
    List<String> args = new ArrayList<>();
    // end::options[]

    // tag::exec[]
    @Override
    public Integer call() throws InterruptedException {
        List<String> variables = Container.variables(env);
        Path root = main.stateRoot("exec");
        ContainerRecord record = Containers.find(root, container);
        if (!record.isRunning()) {
            throw new MydockerException("container " + record.name() + " is not running; exec runs a command"
                    + " in a running container: start a new one with mydocker run");
        }
        List<String> all = new ArrayList<>(record.env());
        all.addAll(variables);
        List<String> environment = Container.environment(tty, all);
        // posix_spawnp looks for the command on its caller's PATH: the helper gets the container's.
        List<String> path = environment.stream().filter(variable -> variable.startsWith("PATH=")).toList();
        try (StopSignals signals = new StopSignals();
                Stdio stdio = Stdio.open(interactive, tty)) {
            int[] channel = new int[2];
            LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, channel);
            int pid;
            try {
                // On the host, in no new namespace: the helper enters the container's itself.
                pid = PosixSpawn.spawn(SelfExe.execCommand(), Container.environment(tty, path),
                        stdio.container, channel[1]);
            } catch (RuntimeException e) {
                LibC.close(channel[0]);
                throw e;
            } finally {
                LibC.close(channel[1]);
            }
            stdio.closeHandedOver();
            signals.started(pid);
            try {
                List<String> message = new ArrayList<>(List.of(Integer.toString(record.pid()),
                        Long.toString(record.pidStartTime()), Boolean.toString(tty), workdir));
                message.add(Integer.toString(environment.size()));
                message.addAll(environment);
                message.add(command);
                message.addAll(args);
                // In the container's namespaces, the helper is ready: it joins the container's
                // cgroup before it starts the command, which so is born in it.
                if (InitChannel.sendCommandAndAwaitReady(channel[0], message, stdio::attach)) {
                    Cgroup.join(Cgroup.ROOT, record.id(), pid);
                }
                InitChannel.go(channel[0]); // the helper's cue to start the command
            } finally {
                LibC.close(channel[0]);
            }
            Container.awaitExit(pid);
            signals.exited();
            int status = Container.reap(pid);
            stdio.finish();
            return status;
        }
    }
    // end::exec[]
}
