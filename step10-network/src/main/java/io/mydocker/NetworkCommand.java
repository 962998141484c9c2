package io.mydocker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** `mydocker network create|ls|rm`: the networks that `run --net` connects containers to. */
@Command(name = "network", mixinStandardHelpOptions = true,
        description = "Manage networks.",
        subcommands = {NetworkCommand.Create.class, NetworkCommand.Ls.class, NetworkCommand.Rm.class})
final class NetworkCommand implements Runnable {
    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a subcommand: create, ls or rm");
    }

    /** The state root; networks change the host's devices and firewall, which only root may. */
    Path root() {
        if (LibC.geteuid() != 0) {
            throw new MydockerException("network needs root, for the host's network devices and iptables; try sudo");
        }
        return Image.stateRoot(main.root);
    }

    // tag::create[]
    @Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Create a network: a bridge, with NAT to the host's other networks.")
    static final class Create implements Callable<Integer> {
        @ParentCommand
        NetworkCommand network;

        @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER", defaultValue = Network.BRIDGE,
                description = "How containers are connected (default: ${DEFAULT-VALUE}, the only one).")
        String driver;

        @Option(names = "--subnet", paramLabel = "CIDR", required = true,
                description = "The containers' addresses, e.g. 192.168.10.0/24.")
        String subnet;

        @Parameters(paramLabel = "NAME", description = "The network's name, also its bridge's.")
        String name;

        @Override
        public Integer call() {
            Network.create(network.root(), name, driver, subnet);
            return 0;
        }
    }
    // end::create[]

    @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true, description = "List the networks.")
    static final class Ls implements Callable<Integer> {
        private static final String COLUMNS = "%-15s   %-18s   %-15s   %s%n";

        @ParentCommand
        NetworkCommand network;

        @Override
        public Integer call() {
            List<String> damaged = new ArrayList<>();
            try (Networks networks = Networks.lock(network.root())) {
                System.out.printf(COLUMNS, "NAME", "SUBNET", "GATEWAY", "DRIVER");
                for (Network each : networks.all((name, damage) -> damaged.add(damage.getMessage()))) {
                    System.out.printf(COLUMNS, each.name(), each.subnet(), Subnet.toString(each.subnet().gateway()),
                            each.driver());
                }
            }
            // As ps does: a damaged file is no row, but named, and the list is not whole.
            damaged.forEach(problem -> System.err.println("mydocker: " + problem));
            return damaged.isEmpty() ? 0 : MydockerException.OWN_ERROR;
        }
    }

    @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
            description = "Remove a network that no container uses.")
    static final class Rm implements Callable<Integer> {
        @ParentCommand
        NetworkCommand network;

        @Parameters(paramLabel = "NAME", description = "The network's name.")
        String name;

        @Override
        public Integer call() {
            Network.remove(network.root(), name);
            System.out.println(name);
            return 0;
        }
    }
}
