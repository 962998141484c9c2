package io.mydocker;

import com.sun.jna.Native;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM's /proc/self/exe. The book's Go program re-executes its own binary as the container's
 * init; a Java program re-executes the JVM with a classpath that holds mydocker and JNA. That
 * classpath comes from where the classes were really loaded, so it is right under the
 * ./mydocker launcher and under Maven's exec:java alike.
 */
final class SelfExe {
    private SelfExe() {
    }

    // tag::command[]
    static List<String> initCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // init never exits normally (it execs), so it must not leave hsperfdata files behind.
        command.add("-XX:-UsePerfData");
        // JNA calls native code; JDK 22 and later warn about that unless it is allowed.
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-cp");
        command.add(location(Init.class) + ":" + location(Native.class));
        command.add(Init.class.getName());
        return command;
    }
    // end::command[]

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
