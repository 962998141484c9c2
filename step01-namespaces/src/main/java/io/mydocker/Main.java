package io.mydocker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The `mydocker` command: global options, and the subcommands. */
@Command(name = "mydocker", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A small Docker, written in Java to learn how containers work.")
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "${env:MYDOCKER_ROOT:-/var/lib/mydocker}",
            description = "Where mydocker keeps its state (default: $MYDOCKER_ROOT or ${DEFAULT-VALUE}).")
    Path root;

    /** The subcommands, in the order `mydocker --help` lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class);

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    // tag::execute[]
    static int execute(String... args) {
        return commandLine(args).execute(args);
    }

    /** The command line that parses args: mydocker, and the subcommand that args name. */
    static CommandLine commandLine(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        // picocli builds a command's model by reflecting over each of its annotated fields, and
        // that, not parsing, is most of what it costs at every start: so only the subcommand
        // named gets one. Without a known name (help, a typo), all do, to be listed.
        String name = firstPositional(commandLine.getCommandSpec(), args);
        List<Class<?>> named = SUBCOMMANDS.stream()
                .filter(subcommand -> subcommand.getAnnotation(Command.class).name().equals(name)).toList();
        (named.isEmpty() ? SUBCOMMANDS : named).forEach(commandLine::addSubcommand);
        // As in docker, options end at the command: in `run -m 1m stress -m 1`, "-m 1" is stress's.
        commandLine.setStopAtPositional(true);
        // And the command's arguments pass as they are: picocli would replace "@FILE" by the
        // contents of the host's FILE.
        commandLine.setExpandAtFiles(false);
        // Bad input: one line that names the problem and where to look, and docker's exit code 125.
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            System.err.println("mydocker: " + MydockerException.oneLine(e.getMessage()) + "; see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return MydockerException.OWN_ERROR;
        });
        commandLine.setExecutionExceptionHandler((e, command, parsed) -> MydockerException.report(e));
        return commandLine;
    }
    // end::execute[]

    /** The first argument that is neither an option of mydocker's nor its value, or null. */
    private static String firstPositional(CommandSpec mydocker, String... args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("-")) {
                return args[i];
            }
            OptionSpec option = mydocker.findOption(args[i]);
            if (option != null && option.arity().max() > 0) {
                i++;
            }
        }
        return null;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, such as run");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                properties.load(in);
            }
            return new String[] {"mydocker " + properties.getProperty("version")};
        }
    }
}
