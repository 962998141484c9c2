package io.mydocker;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A container's id: 12 random hex digits, like the short ids docker prints. It is also the
 * container's hostname, as in docker, so that a shell inside can tell which container it is.
 */
final class ContainerId {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ContainerId() {
    }

    static String random() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Whether text is an ID, as random() makes them. */
    static boolean isOne(String text) {
        return text.matches("[0-9a-f]{12}");
    }
}
