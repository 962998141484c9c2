package io.mydocker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Images: an image is a tar of a root file system, such as the book's busybox.tar or what
 * `docker export` writes, kept as IMAGES/NAME.tar under mydocker's state root (--root), and
 * unpacked into LAYERS/ID when a container first needs it. Its ID is the SHA-256 of the tar, as
 * docker's image ID is a digest: the same content has the same ID whatever its name, and a name
 * given to new content gets a new ID and a new layer.
 */
final class Image {
    static final String IMAGES = "images";
    static final String LAYERS = "layers";
    static final String DEFAULT = "busybox";
    /** What the state root holds: directories, each only for root, as the state root is. */
    static final List<String> CHILDREN = List.of(IMAGES, LAYERS, Container.CONTAINERS);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private Image() {
    }

    /**
     * The state root and the directories in it, created if missing as long as its parent exists:
     * a mistyped --root should be an error, not a new directory tree somewhere. Only root may
     * enter them: mydocker unpacks images there, whose files keep their owners and setuid bits.
     */
    static Path stateRoot(Path root) {
        Path dir = root.toAbsolutePath();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)
                && (dir.getParent() == null || !Files.isDirectory(dir.getParent()))) {
            throw new MydockerException("the state root " + dir + " is not a directory mydocker can use;"
                    + " give an existing directory, or one whose parent exists, with --root");
        }
        ownDirectory(dir, "the state root " + dir);
        for (String child : CHILDREN) {
            ownDirectory(dir.resolve(child), "the directory " + dir.resolve(child) + " in the state root");
        }
        return dir;
    }

    /** Creates dir for its owner only; if it exists, checks it. */
    private static void ownDirectory(Path dir, String what) {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            check(dir, what);
        } catch (IOException e) {
            throw new MydockerException("cannot create " + what + ": " + e.getMessage() + "; give another --root");
        }
    }

    /**
     * Refuses dir unless it is a directory that no one but mydocker's own user could have put
     * anything in, and closes it to others. Else another user, or a symbolic link, could make
     * root unpack and mount images where they like.
     */
    private static void check(Path dir, String what) {
        int user = LibC.geteuid();
        String problem;
        try {
            Map<String, Object> attributes = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int owner = (int) attributes.get("uid");
            int mode = (int) attributes.get("mode");
            if (Files.isSymbolicLink(dir)) {
                problem = "is a symbolic link, and mydocker would write where it points; make it a directory";
            } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                problem = "is not a directory; make it one";
            } else if (owner != user) {
                problem = "is owned by uid " + owner + ", not by uid " + user + ", who runs mydocker;"
                        + " if you trust what it holds, chown " + user + " " + dir;
            } else if ((mode & 022) != 0) {
                problem = "is writable by other users (mode " + Integer.toOctalString(mode & 07777) + ");"
                        + " if you trust what it holds, chmod go-w " + dir;
            } else {
                Files.setPosixFilePermissions(dir, OWNER_ONLY);
                return;
            }
        } catch (IOException e) {
            problem = "cannot be checked: " + e.getMessage();
        }
        throw new MydockerException(what + " " + problem + ", or give another --root");
    }

    /** The image's tar; the busybox image is built when it is missing. */
    // tag::tar[]
    static Path tar(Path root, String name) {
        checkName(name);
        Path images = root.resolve(IMAGES);
        Path tar = images.resolve(name + ".tar");
        if (!Files.exists(tar) && name.equals(DEFAULT)) {
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

    /** Image names are file names here: no "/" and no "..", so nothing outside IMAGES. */
    static void checkName(String name) {
        if (!name.matches("[a-z0-9][a-z0-9_.-]*")) {
            throw new MydockerException("invalid image name '" + name
                    + "': use lower-case letters, digits, '_', '.' and '-', e.g. busybox");
        }
        // commit writes .NAME.tar-ID first, and the kernel takes at most 255 bytes for a file's
        // name (NAME_MAX): a longer name would fail half-way. Docker allows 128 for a tag.
        if (name.length() > 128) {
            throw new MydockerException("invalid image name: it has " + name.length() + " characters; give at most 128");
        }
    }

    /**
     * The image's files, unpacked once into LAYERS/ID: the read-only lower layer that every
     * container of the image shares. Containers never write into it (see Overlay).
     */
    // tag::layer[]
    static Path layer(Path root, String name) {
        Path tar = tar(root, name);
        Path dir = root.resolve(LAYERS).resolve(id(tar));
        if (!Files.isDirectory(dir)) {
            Tar.extract(tar, dir);
        }
        return dir;
    }
    // end::layer[]

    /** The image's ID: the SHA-256 of its tar, in hex. */
    // tag::id[]
    static String id(Path tar) {
        try (InputStream in = Files.newInputStream(tar)) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha256.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha256.digest());
        } catch (IOException e) {
            throw new MydockerException("cannot read the image " + tar + ": " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
    // end::id[]

    /**
     * Writes the files of a container, its merged directory, as the image NAME: a tar written
     * under a temporary name and renamed when it is whole, so that no one ever sees half an
     * image, and an image of that name is replaced at once. (A container that runs from the old
     * image keeps its layer: the new content has a new ID.)
     */
    // tag::commit[]
    static Path commit(Path root, Path merged, String name) {
        checkName(name);
        Path tar = root.resolve(IMAGES).resolve(name + ".tar");
        Path tmp = tar.resolveSibling("." + name + ".tar-" + ContainerId.random());
        try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW)) {
            // What init mounts there is the running container's, not its image's.
            Tar.create(merged, out, Set.of("proc", "sys", "dev"));
        } catch (IOException e) {
            delete(tmp);
            throw new MydockerException("cannot write the image " + tar + ": " + e.getMessage()
                    + "; nothing was written");
        }
        try {
            Files.move(tmp, tar, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            delete(tmp);
            throw new MydockerException("cannot write the image " + tar + ": " + e.getMessage());
        }
        return tar;
    }
    // end::commit[]

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("mydocker: warning: cannot delete " + file + ": " + e.getMessage());
        }
    }

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
}
