package dev.forensics.cli;

import dev.forensics.agent.AgentCommand;
import dev.forensics.agent.AgentMarker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;

/**
 * The CLI's half of the request channel: a request file dropped into the agent's owner-only
 * {@code dir/requests}, then a wait for the answer file beside it. No socket, and nothing loaded into the JVM, so
 * asking for a report a thousand times leaves no trace in the application.
 */
final class Mailbox {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the agent answered: the body after the header line. */
    record Answer(String body) {}

    private Mailbox() {}

    static Answer ask(Target target, AgentMarker marker, AgentCommand command, Duration timeout) {
        String problem = command.problem();
        if (problem != null) {
            throw new CliException(ExitCodes.USAGE, problem);
        }
        if (!marker.answersCommands()) {
            throw new CliException(ExitCodes.NOT_AVAILABLE, "the agent in pid " + target.pid + " "
                    + ("off".equals(marker.commands()) ? "was started with commands=off and answers no requests"
                    : "cannot take requests (its requests directory " + marker.requests() + " is unusable; see its journal)"));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Path requests = awaitRequestsDirectory(target, marker, deadline);
        long nsPid = target.status.nsPid() > 0 ? target.status.nsPid() : target.pid;
        String name = nsPid + "-" + HexFormat.of().formatHex(nonce());
        Path request = requests.resolve(name + ".request");
        Path response = requests.resolve(name + ".response");
        try {
            put(requests, request, command.format());
            while (!Files.exists(response, LinkOption.NOFOLLOW_LINKS)) {
                if (!Proc.exists(target.pid)) {
                    throw new CliException(ExitCodes.FAILED, "pid " + target.pid + " ended before it answered");
                }
                if (System.nanoTime() > deadline) {
                    Files.deleteIfExists(request);
                    throw new CliException(ExitCodes.FAILED, "the agent in pid " + target.pid + " did not answer within " + timeout.toSeconds()
                            + " s (its journal in " + marker.dir() + " may say why)");
                }
                Thread.sleep(10);
            }
            String text = new String(Files.readAllBytes(response), StandardCharsets.UTF_8);
            Files.deleteIfExists(response);
            return parse(target.pid, text);
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "cannot exchange a request with pid " + target.pid + " through " + requests + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.FAILED, "interrupted");
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
                throw new CliException(ExitCodes.FAILED, "the agent in pid " + target.pid + " has no requests directory at " + requests
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
        Path viaRoot = Paths.get("/proc", Long.toString(pid), "root").resolve(path.toString().substring(1));
        return Files.isDirectory(viaRoot) ? viaRoot : path;
    }

    /** Writes the request under a name the agent ignores, then renames it into place: the agent never reads half. */
    private static void put(Path requests, Path request, String content) throws IOException {
        Path tmp = requests.resolve("." + request.getFileName() + ".tmp");
        FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        Files.write(Files.createFile(tmp, ownerOnly), (content + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            PosixFileAttributes dir = Files.readAttributes(requests, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributes file = Files.readAttributes(tmp, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!dir.owner().equals(file.owner())) {
                // root asking another user's JVM: the request must be readable by that user, and only by that user.
                PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                view.setOwner(dir.owner());
                view.setGroup(dir.group());
            }
            Files.move(tmp, request, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
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
            throw new CliException(AgentCommand.UNAVAILABLE.equals(code) ? ExitCodes.NOT_AVAILABLE : ExitCodes.FAILED, message);
        }
        throw new CliException(ExitCodes.FAILED, "pid " + pid + " answered something this CLI does not understand: " + header);
    }
}
