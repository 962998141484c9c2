package io.mydocker;

/**
 * An error that mydocker reports as one line on stderr, exiting with its code. Like docker: 125
 * for mydocker's own errors, 126 when the command cannot be executed, 127 when it is not found.
 */
final class MydockerException extends RuntimeException {
    static final int OWN_ERROR = 125;
    static final int CANNOT_EXECUTE = 126;
    static final int NOT_FOUND = 127;

    final int exitCode;

    MydockerException(String message) {
        this(OWN_ERROR, message);
    }

    MydockerException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * Reports an exception on stderr and returns the exit code it calls for. A MydockerException
     * is bad input or a refusal, one line. Anything else is a bug in mydocker: one line too, unless
     * MYDOCKER_DEBUG=1 asks for the stack trace that shows where it happened.
     */
    // tag::report[]
    static int report(Exception e) {
        if (e instanceof MydockerException m) {
            System.err.println("mydocker: " + oneLine(m.getMessage()));
            return m.exitCode;
        }
        if (debug()) {
            e.printStackTrace();
        } else {
            System.err.println("mydocker: unexpected error: " + oneLine(e.toString())
                    + "; run again with MYDOCKER_DEBUG=1 to see where");
        }
        return OWN_ERROR;
    }
    // end::report[]

    /** A message on one line, even where it quotes a name or an argument with a newline in it. */
    static String oneLine(String message) {
        return message.replace("\n", "\\n").replace("\r", "\\r");
    }

    /** MYDOCKER_DEBUG=1 is set; init, whose environment is the container's, gets it as a property. */
    static boolean debug() {
        return "1".equals(System.getenv("MYDOCKER_DEBUG")) || "1".equals(System.getProperty("mydocker.debug"));
    }
}
