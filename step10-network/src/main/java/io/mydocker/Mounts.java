package io.mydocker;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * mount(2) and umount2(2), for the mounts init makes in the container's mount namespace. A mount
 * that fails says what it mounted where, as runc's errors do: "mount(proc on /proc): Permission
 * denied" tells a learner more than "[13] Permission denied". And the mounts there are, for a
 * delete that must not reach into one.
 */
final class Mounts {
    private Mounts() {
    }

    static void mount(String source, String target, String type, long flags, String data) {
        try {
            LibC.mount(source, target, type, flags, data);
        } catch (LastErrorException e) {
            throw LibC.failure("mount(" + (source == null ? "" : source + " on ") + target + ")", e);
        }
    }

    static void unmount(String target, int flags) {
        try {
            LibC.umount2(target, flags);
        } catch (LastErrorException e) {
            throw LibC.failure("umount2(" + target + ")", e);
        }
    }

    /**
     * The mount points at or below dir in our mount namespace: the fifth field of each line of
     * /proc/self/mountinfo (proc(5)), where a space, a tab, a newline or a backslash in a path
     * is written as an octal escape such as \040.
     */
    // tag::under[]
    static List<Path> under(Path dir) {
        List<Path> mountPoints = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                Matcher escape = Pattern.compile("\\\\([0-7]{3})").matcher(line.split(" ")[4]);
                StringBuilder path = new StringBuilder();
                while (escape.find()) {
                    escape.appendReplacement(path, Matcher.quoteReplacement(
                            Character.toString((char) Integer.parseInt(escape.group(1), 8))));
                }
                Path mountPoint = Path.of(escape.appendTail(path).toString());
                if (mountPoint.startsWith(dir)) {
                    mountPoints.add(mountPoint);
                }
            }
        } catch (IOException e) {
            throw new MydockerException("cannot read /proc/self/mountinfo: " + e.getMessage());
        }
        return mountPoints;
    }
    // end::under[]
}
