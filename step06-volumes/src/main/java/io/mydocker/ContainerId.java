package io.mydocker;

import java.security.SecureRandom;
import java.util.HexFormat;

/** A container's id: 12 random hex digits, like the short ids docker prints. */
final class ContainerId {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ContainerId() {
    }

    static String random() {
        byte[] bytes = new byte[6];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
