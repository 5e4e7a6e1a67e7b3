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
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every file and directory the agent creates is owner-only (0700 directories, 0600 files), created with those
 * permissions atomically rather than fixed up afterwards, and never followed through a symbolic link: another user
 * on the machine must not be able to read last words or plant a file we would write through or load.
 */
public final class PrivateFiles {
    static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX =
            Paths.get(".").getFileSystem().supportedFileAttributeViews().contains("posix");

    private PrivateFiles() {}

    /**
     * The output directory: the one the user named, else {@code ./forensics}, else {@code <tmp>/forensics-<user>};
     * each created 0700 if absent, and used only when it is ours: owned by this uid, not a symbolic link, writable by
     * no one else (read without following links), and writable in fact (a one-byte probe: root passes every
     * permission check, and a full or read-only disk only shows when written). A directory that fails is replaced by
     * {@code <tmp>/forensics-<user>}, or a fresh private one when that fails too, and one stderr line says so.
     * When nothing is usable, the named directory is returned and the writers fall back to stderr.
     */
    public static Path outputDir(Path requested) {
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir"), "forensics-" + userTag());
        Path dir;
        String problem;
        if (requested != null) {
            dir = requested.toAbsolutePath().normalize();
            problem = unusable(dir, true);
        } else {
            dir = Paths.get("forensics").toAbsolutePath().normalize();
            problem = unusable(dir, true);
            if (problem != null
                    && (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)
                            || Files.isRegularFile(dir, LinkOption.NOFOLLOW_LINKS))) {
                dir = tmp; // no ./forensics directory and none can be made here (a service started in /): the
                // documented next choice
                problem = unusable(dir, true);
            }
        }
        if (problem == null) {
            return dir;
        }
        Path instead = dir.equals(tmp) || unusable(tmp, true) != null ? freshDir(tmp) : tmp;
        Stderr.line("forensics: the output directory " + dir + " " + problem + "; findings go to "
                + (instead == null ? "stderr and the application's log" : instead) + " instead");
        if (instead == null) {
            unusableSaid = dir;
            return dir;
        }
        return instead;
    }

    /** The directory named in the one line that said no directory is usable, or null. Writers there stay quiet. */
    private static volatile Path unusableSaid;

    /** True when {@link #outputDir} already said on stderr that {@code dir} cannot be used. */
    public static boolean saidUnusable(Path dir) {
        return dir != null && dir.equals(unusableSaid);
    }

    /**
     * Why a directory cannot be ours to write, or null when it is (creating it 0700 if absent and {@code create}).
     * Checked without following links, so another user's directory or link in its place is never taken.
     */
    public static String unusable(Path dir, boolean create) {
        if (!POSIX) {
            return tryCreateDir(dir) ? null : "cannot be created or written";
        }
        try {
            if (create && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR));
            }
            Map<String, Object> a =
                    Files.readAttributes(dir, "unix:uid,mode,isDirectory,isSymbolicLink", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            if ((Boolean) a.get("isSymbolicLink")) {
                return "is a symbolic link";
            }
            if (!(Boolean) a.get("isDirectory")) {
                return "is not a directory";
            }
            int me = uid();
            if (me >= 0 && uid != me) {
                return "belongs to another user (uid " + uid + ")";
            }
            if ((mode & 022) != 0) {
                return "can be written by other users (mode " + Integer.toOctalString(mode & 07777) + ")";
            }
            probe(dir);
            return null;
        } catch (IOException | RuntimeException e) {
            return "is unusable (" + reason(e) + ")";
        }
    }

    /** Numbers the probes: two threads may probe one directory at once (a JVM that exits while the agent starts). */
    private static final AtomicInteger PROBES = new AtomicInteger();

    /** Creates, writes one byte into and removes a file: the only test a full disk, a read-only mount and root all answer truly. */
    private static void probe(Path dir) throws IOException {
        Path probe = dir.resolve(".forensics-probe-" + Pid.current() + "-" + PROBES.incrementAndGet());
        try {
            Files.deleteIfExists(probe);
            try (FileChannel ch = create(probe)) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {'\n'}));
            }
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    static String reason(Throwable e) {
        if (e instanceof java.nio.file.FileSystemException
                && ((java.nio.file.FileSystemException) e).getReason() != null) {
            return ((java.nio.file.FileSystemException) e).getReason();
        }
        return e.toString();
    }

    /** A new private directory beside the squatted or unusable well-known one; null when none can be made. */
    private static Path freshDir(Path beside) {
        try {
            Path parent = beside.getParent();
            Path d = Files.createTempDirectory(
                    parent, beside.getFileName() + "-", PosixFilePermissions.asFileAttribute(DIR));
            return unusable(d, false) == null ? d : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The user's name for well-known file names, or its uid when the JVM's user has no name: a random uid without a
     * passwd entry (OpenShift) has {@code user.name} "?", and a name made of it would never be found again as ours.
     */
    static String userTag() {
        String name = System.getProperty("user.name", "");
        if (plainName(name)) {
            return name;
        }
        int uid = uid();
        return uid >= 0 ? "uid" + uid : "user";
    }

    /** Letters, digits, '.', '_' and '-' (not first), as passwd names are; no regex in premain. */
    private static boolean plainName(String name) {
        if (name.isEmpty() || name.length() > 64 || name.charAt(0) == '-' || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '.'
                    || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static final int UNKNOWN_UID = -2;
    private static volatile int uid = UNKNOWN_UID;

    /** This process's effective uid, from /proc/self/status; -1 where that cannot be read. */
    public static int uid() {
        int u = uid;
        if (u == UNKNOWN_UID) {
            u = -1;
            try {
                for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                    if (line.startsWith("Uid:")) {
                        u = Integer.parseInt(
                                Text.field(line.substring(4), 1)); // the effective uid; no regex in premain
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                u = -1;
            }
            uid = u;
        }
        return u;
    }

    /** A directory only we can use, for the nested jars and native library the agent loads. */
    public static Path privateTempDir() throws IOException {
        Path base = Paths.get(System.getProperty("java.io.tmpdir"));
        Path dir = base.resolve("forensics-" + userTag() + ".lib");
        if (tryCreateDir(dir) && ownedByUsAndPrivate(dir)) {
            return dir;
        }
        // Someone else holds the well-known name (or it is loose): use a fresh random one.
        return POSIX
                ? Files.createTempDirectory(base, "forensics-", PosixFilePermissions.asFileAttribute(DIR))
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
        FileAttribute<?>[] attrs =
                POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
        return FileChannel.open(file, opts, attrs);
    }

    /** Creates a new file 0600 that must not exist yet; the caller picks a unique name. */
    public static FileChannel create(Path file) throws IOException {
        FileAttribute<?>[] attrs =
                POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
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
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp); // a full disk must not keep an empty temp file for every attempt
            throw e;
        }
        try {
            Files.move(
                    tmp,
                    file,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
            Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode,isDirectory", LinkOption.NOFOLLOW_LINKS);
            int me = uid();
            return (Boolean) a.get("isDirectory")
                    && (me < 0 || (Integer) a.get("uid") == me)
                    && ((Integer) a.get("mode") & 07777) == 0700;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
