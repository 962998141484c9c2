package io.mydocker;

import com.sun.jna.Native;
import java.net.URISyntaxException;
import java.nio.file.Files;
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
        Path classes = location(Init.class); // target/mydocker.jar, or target/classes under exec:java
        Path target = classes.getParent();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // init never exits normally (it execs), so it must not leave hsperfdata files behind.
                "-XX:-UsePerfData",
                // The start-up flags of the ./mydocker launcher, which explains them.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "-Djna.boot.library.path=" + target.resolve("native"), "-Djna.platform.library.path="));
        // init's class-data archive, written by the build (startup/prepare.sh). The JVM refuses
        // an archive of another JDK, and one used with classes from a directory; one that no
        // longer fits only costs speed, so it is skipped without a word.
        Path archive = target.resolve("cds").resolve(System.getProperty("java.runtime.version"));
        if (Files.isRegularFile(classes) && Files.exists(archive.resolve("init.aot"))) {
            command.addAll(List.of("-XX:AOTCache=" + archive.resolve("init.aot"), "-Xlog:aot*=off,cds*=off"));
        } else if (Files.isRegularFile(classes) && Files.exists(archive.resolve("init.jsa"))) {
            command.addAll(List.of("-XX:SharedArchiveFile=" + archive.resolve("init.jsa"), "-Xlog:cds*=off"));
        }
        command.addAll(List.of("-cp", classes + ":" + location(Native.class), Init.class.getName()));
        return command;
    }
    // end::command[]

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
