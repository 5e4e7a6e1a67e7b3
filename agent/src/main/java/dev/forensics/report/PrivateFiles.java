package dev.forensics.report;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.HashSet;
import java.util.Set;

/**
 * Every file and directory the agent creates is owner-only (0700 directories, 0600 files), created with those
 * permissions atomically rather than fixed up afterwards, and never followed through a symbolic link: another user
 * on the machine must not be able to read last words or plant a file we would write through or load.
 */
public final class PrivateFiles {
    static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = Paths.get(".").getFileSystem().supportedFileAttributeViews().contains("posix");

    private PrivateFiles() {}

    /**
     * The output directory: the one the user named (created if needed, never replaced by another), else
     * {@code ./forensics}, else {@code <tmp>/forensics-<user>}. Returns the chosen path even when it cannot be
     * written, so that writers fail there and fall back to stderr, which is what a user who named a dir expects.
     */
    public static Path outputDir(Path requested) {
        if (requested != null) {
            Path dir = requested.toAbsolutePath().normalize();
            tryCreateDir(dir);
            return dir;
        }
        Path local = Paths.get("forensics").toAbsolutePath().normalize();
        if (tryCreateDir(local)) {
            return local;
        }
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir"), "forensics-" + System.getProperty("user.name", "user"));
        tryCreateDir(tmp);
        return tmp;
    }

    /** A directory only we can use, for the nested jars and native library the agent loads. */
    public static Path privateTempDir() throws IOException {
        Path base = Paths.get(System.getProperty("java.io.tmpdir"));
        Path dir = base.resolve("forensics-" + System.getProperty("user.name", "user") + ".lib");
        if (tryCreateDir(dir) && ownedByUsAndPrivate(dir)) {
            return dir;
        }
        // Someone else holds the well-known name (or it is loose): use a fresh random one.
        return POSIX ? Files.createTempDirectory(base, "forensics-", PosixFilePermissions.asFileAttribute(DIR))
                : Files.createTempDirectory(base, "forensics-");
    }

    /** Creates the directory (0700) if absent; true when it exists, is ours and is writable. */
    public static boolean tryCreateDir(Path dir) {
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                if (POSIX) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR));
                } else {
                    Files.createDirectories(dir);
                }
            }
            return Files.isDirectory(dir) && Files.isWritable(dir);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Opens (creating 0600 if absent) a regular file for writing, refusing symbolic links. */
    public static FileChannel open(Path file, boolean append) throws IOException {
        Set<OpenOption> opts = new HashSet<>();
        opts.add(StandardOpenOption.WRITE);
        opts.add(StandardOpenOption.CREATE);
        opts.add(LinkOption.NOFOLLOW_LINKS);
        opts.add(append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        FileAttribute<?>[] attrs = POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
        return FileChannel.open(file, opts, attrs);
    }

    /** Creates a new file 0600 that must not exist yet; the caller picks a unique name. */
    public static FileChannel create(Path file) throws IOException {
        FileAttribute<?>[] attrs = POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
        Set<OpenOption> opts = new HashSet<>();
        opts.add(StandardOpenOption.WRITE);
        opts.add(StandardOpenOption.CREATE_NEW);
        opts.add(LinkOption.NOFOLLOW_LINKS);
        return FileChannel.open(file, opts, attrs);
    }

    /** Writes a whole file atomically (temp + rename), 0600, forced to disk. */
    public static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + Pid.current());
        try (FileChannel ch = open(tmp, false)) {
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** True when the directory is ours and 0700, i.e. no other user can have put anything in it. */
    public static boolean ownedByUsAndPrivate(Path dir) {
        if (!POSIX) {
            return true;
        }
        try {
            PosixFileAttributes attrs = Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
            UserPrincipal me = dir.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
            return attrs.isDirectory() && attrs.owner().equals(me) && attrs.permissions().equals(DIR);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
