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
}
