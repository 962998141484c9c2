package io.mydocker;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.Native;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

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
        List<String> command = java("init");
        command.addAll(List.of("-cp", classpath(Init.class, Native.class), Init.class.getName()));
        return command;
    }
    // end::command[]

    /**
     * The helper of exec (Exec), which needs what init needs, and loads what init loads: so it
     * runs with init's classpath and class-data archive.
     */
    static List<String> execCommand() {
        List<String> command = java("init");
        command.addAll(List.of("-cp", classpath(Exec.class, Native.class), Exec.class.getName()));
        return command;
    }

    /**
     * The monitor of a detached container (Monitor): a JVM of its own, which outlives `run -d`.
     * It runs the container as `mydocker run` would, so it needs mydocker's classes and JNA,
     * Jackson for the record, and Commons Compress, which Tar refers to.
     */
    static List<String> monitorCommand(Path root, String id) {
        List<String> command = java("mydocker");
        // It waits for most of its life: a small heap, and small thread stacks, keep it small.
        // And its class-data archive is mapped where the build wrote it, so that all monitors
        // share its pages: JDK 17 and later map it at a random address by default, and must
        // then rewrite its pointers, which makes each page a private copy. (That start is a
        // little slower; a monitor starts once and waits long.)
        command.addAll(List.of("-Xmx16m", "-Xss256k", "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0",
                "-cp", mydockerClasspath(Monitor.class, Native.class, ObjectMapper.class, JsonFactory.class,
                        JsonProperty.class, TarArchiveEntry.class),
                Monitor.class.getName(), root.toString(), id));
        return command;
    }

    /**
     * The monitor's classpath: mydocker's own, as the launcher gave it, so that the monitor can
     * map mydocker's class-data archive, which holds most of what it loads: the JVM takes an
     * archive only with the classpath it was written for. From target/classes, under exec:java,
     * there is no archive: then where the given classes were loaded from.
     */
    private static String mydockerClasspath(Class<?>... types) {
        return Files.isRegularFile(location(Init.class)) ? System.getProperty("java.class.path") : classpath(types);
    }

    /** The java command with the flags for a JVM of mydocker's own, and those of its archive. */
    private static List<String> java(String jvm) {
        Path classes = location(Init.class); // target/mydocker.jar, or target/classes under exec:java
        Path target = classes.getParent();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Needed however mydocker was started, even from target/classes under exec:java:
                // init never exits normally (it execs), so it must not leave an hsperfdata file
                // behind; and JNA calls native code, which JDK 22 and later warn about.
                "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED"));
        // The start-up flags that the build wrote for both JVMs (startup/prepare.sh), in a JDK
        // argument file: the java launcher reads the arguments of @FILE from FILE.
        Path flags = target.resolve("jvm.args");
        if (Files.exists(flags)) {
            command.add("@" + flags);
        }
        // The flags that use this JVM's class-data archive, trained by the build with this very
        // JDK. The JVM refuses an archive along with classes from a directory: only from the jar.
        Path archive = target.resolve("cds").resolve(System.getProperty("java.runtime.version")).resolve(jvm + ".args");
        if (Files.isRegularFile(classes) && Files.exists(archive)) {
            command.add("@" + archive);
        }
        if (MydockerException.debug()) {
            command.add("-Dmydocker.debug=1");
        }
        return command;
    }

    /** Where the classes were loaded from, a jar or a directory each, joined as for -cp. */
    private static String classpath(Class<?>... types) {
        return Arrays.stream(types).map(type -> location(type).toString()).collect(Collectors.joining(":"));
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
