package io.mydocker;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's packet filter and address translation, driven as docker drives it: by running the
 * iptables program (iptables(8)), whose rules the kernel keeps per network namespace. Whichever
 * iptables the host has chosen (nft or legacy) is used for every rule, never a mix: once both
 * kinds of table exist, each kind warns on every call, and rules of one are invisible to the other.
 */
final class Iptables {
    private Iptables() {
    }

    /**
     * One rule: its table (filter or nat), its chain, and the rest of its iptables arguments.
     * mydocker puts its rules first in their chains: a host's own rules, or docker's, come later,
     * and cannot drop or rewrite the containers' packets before mydocker's rules see them.
     */
    // tag::rule[]
    record Rule(String table, String chain, List<String> match) {
        /** Adds the rule, unless it is there already: adding twice is harmless. */
        void add() {
            if (!exists()) {
                run("-I", "cannot add the iptables rule");
            }
        }

        /** Deletes the rule if it is there: deleting twice is harmless too. */
        void delete() {
            if (exists()) {
                run("-D", "cannot delete the iptables rule");
            }
        }

        /** iptables -C: exit status 0 if the rule exists, 1 if not. */
        private boolean exists() {
            Result result = iptables(arguments("-C"));
            if (result.status > 1) {
                throw failure("cannot check the iptables rule", result);
            }
            return result.status == 0;
        }

        private void run(String action, String what) {
            Result result = iptables(arguments(action));
            if (result.status != 0) {
                throw failure(what, result);
            }
        }

        private List<String> arguments(String action) {
            List<String> arguments = new ArrayList<>(List.of("-t", table, action, chain));
            arguments.addAll(match);
            return arguments;
        }

        private MydockerException failure(String what, Result result) {
            return new MydockerException(what + " '" + this + "': " + result.error.strip().replace('\n', ' '));
        }

        /** How the rule reads in iptables-save, and in error messages. */
        @Override
        public String toString() {
            return "-t " + table + " -A " + chain + " " + String.join(" ", match);
        }
    }
    // end::rule[]

    private record Result(int status, String error) {
    }

    /**
     * Runs iptables and waits for it. -w: wait for the lock that iptables takes on the tables, for
     * other programs (docker, a firewall) change them too.
     */
    private static Result iptables(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of("iptables", "-w"));
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String error = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.waitFor(), error);
        } catch (IOException e) {
            throw new MydockerException("cannot run iptables: " + e.getMessage()
                    + "; install it, e.g. apt-get install iptables");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MydockerException("interrupted while running iptables");
        }
    }
}
