package io.mydocker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A volume, `-v HOST:CONTAINER[:ro]`: a directory of the host that the container sees at a path
 * of its own, through a bind mount (mount(2) with MS_BIND). What the container writes there is
 * written on the host, and outlives the container.
 *
 * <p>init makes the mount in the container's mount namespace, before pivot_root, while the host's
 * directories are still in sight. The host's own mount table never holds it: when the container
 * ends, its namespace and the mount go with it, and mydocker's clean-up, which deletes the
 * container's layer, cannot reach the host's files through it. (The book's Go code mounts volumes
 * in the host's namespace, and when their unmount fails, say because a shell still sits in one,
 * it only logs that, and deletes the container's directory anyway: through the volume, with the
 * user's files.)
 *
 * @param host      the host's directory, absolute
 * @param container where the container sees it, absolute, never "/"
 * @param readOnly  :ro, the container cannot write to it
 */
record Volume(Path host, Path container, boolean readOnly) {
    /** The longest path the kernel takes, with the 0 that ends it, and the longest name in it (limits.h). */
    private static final int PATH_MAX = 4096;
    private static final int NAME_MAX = 255;

    /** Parses and checks a -v value, before anything is created. */
    // tag::parse[]
    static Volume parse(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw invalid(spec, "give HOST:CONTAINER or HOST:CONTAINER:ro");
        }
        if (!parts[0].startsWith("/") || !parts[1].startsWith("/")) {
            throw invalid(spec, "both paths must be absolute, e.g. -v /tmp/data:/data");
        }
        if (parts.length == 3 && !parts[2].equals("ro") && !parts[2].equals("rw")) {
            throw invalid(spec, "the mode '" + parts[2] + "' is neither ro nor rw");
        }
        // A newline or other control character is a mistake, and bytes that are not UTF-8 reach
        // mydocker as U+FFFD: it would make a directory of another name than the one given.
        if (spec.chars().anyMatch(c -> Character.isISOControl(c) || c == '\uFFFD')) {
            throw invalid(spec, "a path with a control character, such as a newline, or bytes that are not UTF-8"
                    + " is refused; rename the directory");
        }
        // Else making the host's directory would fail half-way, its first parents made.
        for (String path : List.of(parts[0], parts[1])) {
            if (bytes(path) >= PATH_MAX || Stream.of(path.split("/")).anyMatch(name -> bytes(name) > NAME_MAX)) {
                throw invalid(spec, "a path is too long: the kernel takes " + (PATH_MAX - 1) + " bytes, and "
                        + NAME_MAX + " for each name in it");
            }
        }
        Path container = Path.of(parts[1]).normalize();
        if (container.getNameCount() == 0) {
            throw invalid(spec, "a volume cannot be the container's root; mount it on a directory such as /data");
        }
        Path host = Path.of(parts[0]).normalize();
        // The host's directory, or the nearest of its parents that exists, to make it in.
        Path existing = host;
        while (!Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (!Files.isDirectory(existing)) {
            throw invalid(spec, existing + " is not a directory; a volume is a directory of the host");
        }
        return new Volume(host, container, parts.length == 3 && parts[2].equals("ro"));
    }
    // end::parse[]

    /**
     * Parses every -v. Two volumes at one path are refused, as docker does; a volume inside
     * another is mounted after it, so that the outer one does not hide it.
     */
    static List<Volume> parseAll(List<String> specs) {
        List<Volume> volumes = new ArrayList<>();
        for (String spec : specs) {
            Volume volume = parse(spec);
            if (volumes.stream().anyMatch(other -> other.container.equals(volume.container))) {
                throw invalid(spec, "another volume is at " + volume.container + " already");
            }
            volumes.add(volume);
        }
        volumes.sort(Comparator.comparingInt(volume -> volume.container.getNameCount()));
        return volumes;
    }

    private static int bytes(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length;
    }

    private static MydockerException invalid(String spec, String why) {
        return new MydockerException("invalid volume '" + spec + "': " + why);
    }

    /** mydocker's side: a missing host directory is made, with its parents, as docker does. */
    void createHostDirectory() {
        try {
            Files.createDirectories(host);
        } catch (IOException e) {
            throw new MydockerException("cannot create the volume's directory " + host + ": " + e.getMessage());
        }
    }

    /**
     * init's side, before pivot_root: binds the host's directory onto the container's path in
     * rootfs. The path is made in the container's own layer if the image lacks it; a directory
     * of the image with files in it is hidden by the volume, as in docker.
     */
    // tag::mount[]
    void mount(Path rootfs) {
        String target = RootFs.directory(rootfs, container.toString().substring(1)).toString();
        Mounts.mount(host.toString(), target, null, LibC.MS_BIND, null);
        if (readOnly) {
            // A bind mount copies the flags of the mount it binds: only a remount makes it
            // read-only (mount(2), "Creating a bind mount").
            Mounts.mount(null, target, null, LibC.MS_REMOUNT | LibC.MS_BIND | LibC.MS_RDONLY, null);
        }
    }
    // end::mount[]

    /** The -v syntax, which is also how init gets its volumes. */
    @Override
    public String toString() {
        return host + ":" + container + (readOnly ? ":ro" : "");
    }
}
