package io.mydocker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Images: an image is a tar of a root file system, such as the book's busybox.tar or what
 * `docker export` writes, kept as IMAGES/NAME.tar under mydocker's state root (--root), and
 * unpacked into LAYERS/NAME when a container first needs it.
 */
final class Image {
    static final String IMAGES = "images";
    static final String LAYERS = "layers";
    static final String DEFAULT = "busybox";

    private Image() {
    }

    /**
     * The state root, created if missing as long as its parent exists: a mistyped --root should
     * be an error, not a new directory tree somewhere.
     */
    static Path stateRoot(Path root) {
        Path dir = root.toAbsolutePath();
        try {
            if (!Files.exists(dir) && dir.getParent() != null && Files.isDirectory(dir.getParent())) {
                Files.createDirectory(dir);
            }
        } catch (IOException e) {
            throw new MydockerException("cannot create the state root " + dir + ": " + e.getMessage());
        }
        if (!Files.isDirectory(dir) || !Files.isReadable(dir) || !Files.isWritable(dir)) {
            throw new MydockerException("the state root " + dir + " is not a directory mydocker can use;"
                    + " give an existing directory, or one whose parent exists, with --root");
        }
        return dir;
    }

    /** The image's tar; the busybox image is built when it is missing. */
    // tag::tar[]
    static Path tar(Path root, String name) {
        if (!name.matches("[a-z0-9][a-z0-9_.-]*")) {
            throw new MydockerException("invalid image name '" + name
                    + "': use lower-case letters, digits, '_', '.' and '-', e.g. busybox");
        }
        Path images = root.resolve(IMAGES);
        Path tar = images.resolve(name + ".tar");
        if (!Files.exists(tar) && name.equals(DEFAULT)) {
            createDirectory(images);
            BusyboxImage.write(BusyboxImage.BUSYBOX, tar);
        }
        if (!Files.isRegularFile(tar)) {
            List<String> names = names(root);
            String known = names.isEmpty() ? "there are no images but busybox, built on first use"
                    : "the images are " + String.join(", ", names);
            throw new MydockerException("no such image '" + name + "'; " + known + "; add one as " + images
                    + "/NAME.tar, e.g. from docker export");
        }
        return tar;
    }
    // end::tar[]

    /**
     * The image's files, unpacked once into LAYERS/NAME: the read-only lower layer that every
     * container of the image shares. Containers never write into it (see Overlay).
     */
    // tag::layer[]
    static Path layer(Path root, String name) {
        Path tar = tar(root, name);
        Path layers = root.resolve(LAYERS);
        Path dir = layers.resolve(name);
        if (!Files.isDirectory(dir)) {
            createDirectory(layers);
            Tar.extract(tar, dir);
        }
        return dir;
    }
    // end::layer[]

    /** The names of the images there are, for error messages. */
    static List<String> names(Path root) {
        try (Stream<Path> files = Files.list(root.resolve(IMAGES))) {
            return files.map(file -> file.getFileName().toString())
                    .filter(file -> file.endsWith(".tar") && !file.startsWith("."))
                    .map(file -> file.substring(0, file.length() - ".tar".length()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    static void createDirectory(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MydockerException("cannot create " + dir + ": " + e.getMessage());
        }
    }
}
