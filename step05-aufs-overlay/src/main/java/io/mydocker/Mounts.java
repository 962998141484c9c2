package io.mydocker;

import com.sun.jna.LastErrorException;

/**
 * mount(2) and umount2(2), for the mounts init makes in the container's mount namespace. A mount
 * that fails says what it mounted where, as runc's errors do: "mount(proc on /proc): Permission
 * denied" tells a learner more than "[13] Permission denied".
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
}
