package dev.forensics.cli;

import dev.forensics.agent.AgentCommand;
import dev.forensics.agent.AgentMarker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The CLI's half of the request channel: a request file dropped into the agent's owner-only
 * {@code dir/requests}, then a wait for the answer file beside it. No socket, and nothing loaded into the JVM, so
 * asking for a report a thousand times leaves no trace in the application.
 */
final class Mailbox {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The largest answer read: a report of a JVM with every table at its cap is well under this. */
    static final long MAX_ANSWER_BYTES = 16L * 1024 * 1024;
    /** How long past the deadline a blocked open may take before the CLI gives up on it. */
    private static final long GRACE_NANOS = 500_000_000L;

    /** What the agent answered: the body after the header line. */
    record Answer(String body) {}

    private Mailbox() {}

    static Answer ask(Target target, AgentMarker marker, AgentCommand command, Duration timeout) {
        String problem = command.problem();
        if (problem != null) {
            throw new CliException(ExitCodes.USAGE, problem);
        }
        if (!marker.answersCommands()) {
            throw new CliException(
                    ExitCodes.NOT_AVAILABLE,
                    "the agent in pid " + target.pid + " "
                            + ("off".equals(marker.commands())
                                    ? "was started with commands=off and answers no requests"
                                    : "cannot take requests (its requests directory " + marker.requests()
                                            + " is unusable; see its journal)"));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Path requests = awaitRequestsDirectory(target, marker, deadline);
        // Every file operation runs on a thread of its own, bounded by the deadline: a FIFO planted where a file
        // should be blocks open() for ever, and the timeout the user gave must hold even then.
        FutureTask<Answer> exchange =
                new FutureTask<>(() -> exchange(target, marker, requests, command, deadline, timeout));
        Thread worker = new Thread(exchange, "forensics-request");
        worker.setDaemon(true);
        worker.start();
        try {
            return exchange.get(Math.max(0, deadline - System.nanoTime()) + GRACE_NANOS, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CliException(
                    ExitCodes.FAILED,
                    "the agent in pid " + target.pid + " did not answer within " + timeout.toSeconds()
                            + " s, and a file in " + requests + " could not be opened in time (is it a FIFO?)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CliException) {
                throw (CliException) e.getCause();
            }
            throw new CliException(
                    ExitCodes.FAILED,
                    "cannot exchange a request with pid " + target.pid + " through " + requests + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILED, "interrupted");
        }
    }

    /**
     * The exchange itself, through one descriptor of the requests directory: the directory is checked on that
     * descriptor, and every name is opened relative to it without following links. The directory belongs to the
     * JVM's user, who can swap any name in it at any moment, so nothing is ever reopened by name.
     */
    private static Answer exchange(
            Target target, AgentMarker marker, Path requests, AgentCommand command, long deadline, Duration timeout)
            throws IOException, InterruptedException {
        long nsPid = target.status.nsPid() > 0 ? target.status.nsPid() : target.pid;
        String name = nsPid + "-" + HexFormat.of().formatHex(nonce());
        Path request = Paths.get(name + ".request");
        Path response = Paths.get(name + ".response");
        try (SecureDirectoryStream<Path> dir = openOwnedBy(requests, target)) {
            put(dir, request, command.format(), target.status.euid());
            while (true) {
                BasicFileAttributes found = attributes(dir, response);
                if (found != null) {
                    return parse(target.pid, read(dir, response, found, requests));
                }
                if (!Proc.exists(target.pid)) {
                    throw new CliException(ExitCodes.FAILED, "pid " + target.pid + " ended before it answered");
                }
                if (System.nanoTime() > deadline) {
                    deleteQuietly(dir, request);
                    throw new CliException(
                            ExitCodes.FAILED,
                            "the agent in pid " + target.pid + " did not answer within " + timeout.toSeconds()
                                    + " s (its journal in " + marker.dir() + " may say why)");
                }
                Thread.sleep(10);
            }
        }
    }

    /**
     * Opens the requests directory and checks, on the opened descriptor, that it is the one the path named (no link
     * swapped in) and that it belongs to the JVM's user and no one else may write to it. Root must not write where
     * the JVM's user could not: the directory's path comes from that JVM's own system property.
     */
    static SecureDirectoryStream<Path> openOwnedBy(Path requests, Target target) throws IOException {
        Map<String, Object> named = Files.readAttributes(requests, "unix:uid,mode,fileKey", LinkOption.NOFOLLOW_LINKS);
        DirectoryStream<Path> ds = Files.newDirectoryStream(requests);
        if (!(ds instanceof SecureDirectoryStream)) {
            ds.close();
            throw new CliException(
                    ExitCodes.FAILED,
                    "this system cannot open " + requests + " safely (no openat); not sending a request");
        }
        SecureDirectoryStream<Path> dir = (SecureDirectoryStream<Path>) ds;
        try {
            PosixFileAttributes opened =
                    dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
            int uid = (Integer) named.get("uid");
            int mode = (Integer) named.get("mode");
            String problem = null;
            if (!opened.isDirectory() || !opened.fileKey().equals(named.get("fileKey"))) {
                problem = "changed while it was opened";
            } else if (uid != target.status.euid()) {
                problem = "belongs to " + Proc.userName(uid) + ", not to " + Proc.userName(target.status.euid())
                        + ", the user pid " + target.pid + " runs as";
            } else if ((mode & 022) != 0) {
                problem = "can be written by other users (mode " + Integer.toOctalString(mode & 07777) + ")";
            }
            if (problem != null) {
                throw new CliException(
                        ExitCodes.FAILED,
                        "refusing to send a request to pid " + target.pid + ": its requests directory " + requests + " "
                                + problem);
            }
            return dir;
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** The agent creates it on its own thread just after it starts, so right after an attach it may still be coming. */
    private static Path awaitRequestsDirectory(Target target, AgentMarker marker, long deadline) {
        while (true) {
            Path requests = visible(target.pid, marker.requests());
            if (Files.isDirectory(requests, LinkOption.NOFOLLOW_LINKS)) {
                return requests;
            }
            if (System.nanoTime() > deadline || !Proc.exists(target.pid)) {
                throw new CliException(
                        ExitCodes.FAILED,
                        "the agent in pid " + target.pid + " has no requests directory at " + requests
                                + " (its journal in " + marker.dir() + " may say why)");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CliException(ExitCodes.FAILED, "interrupted");
            }
        }
    }

    private static byte[] nonce() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    /** The JVM's path as this process sees it: through /proc/<pid>/root when the JVM lives in another mount namespace. */
    static Path visible(long pid, Path path) {
        if (Files.isDirectory(path)) {
            return path;
        }
        Path viaRoot = Paths.get("/proc", Long.toString(pid), "root")
                .resolve(path.toString().substring(1));
        return Files.isDirectory(viaRoot) ? viaRoot : path;
    }

    /**
     * Writes the request through the descriptor that created it (a new file, never a link), under a name the agent
     * ignores, then renames it into place: the agent never reads half. Root asking another user's JVM makes the file
     * readable (0644) rather than handing it over with chown: the directory is that user's and private, and nothing
     * is ever changed by name there.
     */
    private static void put(SecureDirectoryStream<Path> dir, Path request, String content, int jvmEuid)
            throws IOException {
        Path tmp = Paths.get("." + request.getFileName() + ".tmp");
        Proc.Status me = Proc.self();
        boolean forOther = me != null && me.euid() != jvmEuid;
        FileAttribute<?> perms = PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString(forOther ? "rw-r--r--" : "rw-------"));
        Set<OpenOption> create =
                Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW, LinkOption.NOFOLLOW_LINKS);
        try (SeekableByteChannel ch = dir.newByteChannel(tmp, create, perms)) {
            ByteBuffer buf = ByteBuffer.wrap((content + "\n").getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
        try {
            dir.move(tmp, dir, request);
        } finally {
            deleteQuietly(dir, tmp);
        }
    }

    /** The answer's attributes, not following a link; null while there is none. */
    private static BasicFileAttributes attributes(SecureDirectoryStream<Path> dir, Path response) throws IOException {
        try {
            return dir.getFileAttributeView(response, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Reads an answer that is a regular file of at most {@link #MAX_ANSWER_BYTES}, then removes it. */
    private static String read(SecureDirectoryStream<Path> dir, Path response, BasicFileAttributes attrs, Path requests)
            throws IOException {
        try {
            if (!attrs.isRegularFile()) {
                throw new CliException(
                        ExitCodes.FAILED,
                        "the answer " + requests.resolve(response) + " is not a regular file; not read");
            }
            if (attrs.size() > MAX_ANSWER_BYTES) {
                throw new CliException(
                        ExitCodes.FAILED,
                        "the answer " + requests.resolve(response) + " has " + attrs.size()
                                + " bytes, more than an answer can have (" + MAX_ANSWER_BYTES + "); not read");
            }
            try (SeekableByteChannel ch =
                    dir.newByteChannel(response, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
                ByteBuffer buf = ByteBuffer.allocate((int) attrs.size() + 1);
                while (buf.hasRemaining() && ch.read(buf) >= 0) {
                    // until the end, or one byte past what the file said it had
                }
                if (!buf.hasRemaining()) {
                    throw new CliException(
                            ExitCodes.FAILED,
                            "the answer " + requests.resolve(response) + " grew while it was read; not read");
                }
                return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            }
        } finally {
            deleteQuietly(dir, response);
        }
    }

    private static void deleteQuietly(SecureDirectoryStream<Path> dir, Path name) {
        try {
            dir.deleteFile(name);
        } catch (IOException | RuntimeException e) {
            // gone already, or never made
        }
    }

    static Answer parse(long pid, String text) {
        int nl = text.indexOf('\n');
        String header = nl < 0 ? text : text.substring(0, nl);
        String body = nl < 0 ? "" : text.substring(nl + 1);
        if (header.equals(AgentCommand.OK)) {
            return new Answer(body);
        }
        if (header.startsWith(AgentCommand.ERROR)) {
            String rest = header.substring(AgentCommand.ERROR.length());
            int sp = rest.indexOf(' ');
            String code = sp < 0 ? rest : rest.substring(0, sp);
            String message = sp < 0 ? code : rest.substring(sp + 1);
            throw new CliException(
                    AgentCommand.UNAVAILABLE.equals(code) ? ExitCodes.NOT_AVAILABLE : ExitCodes.FAILED, message);
        }
        throw new CliException(
                ExitCodes.FAILED, "pid " + pid + " answered something this CLI does not understand: " + header);
    }
}
