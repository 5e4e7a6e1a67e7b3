package dev.forensics.agent;

import dev.forensics.report.Jfr;
import dev.forensics.report.Pid;
import dev.forensics.report.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import jdk.jfr.Configuration;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * {@code forensics jfr start|dump|stop}, run inside the target by the agent: a recording named "forensics" with
 * the forensics.jfc from this very jar, so the settings always match the events this agent emits, and dumps written
 * owner-only (JFR itself would create them world-readable). Loaded only when a jfr request arrives, so nothing links
 * jdk.jfr at start-up but {@code report.Jfr}, whose listener registers the forensics events when this starts JFR.
 */
final class JfrCommands {
    static final String NAME = "forensics";
    static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
    static final long DEFAULT_MAX_SIZE = 256L * 1024 * 1024;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    /** An error code (null when it went well), the recording's state, the file written or destined, one line. */
    record Result(String error, String state, Path file, String message) {
        static Result failed(String code, String message) {
            return new Result(code, null, null, message);
        }
    }

    private JfrCommands() {}

    static synchronized Result start(Path dir, Path file, Duration maxAge, long maxSize) throws Exception {
        long pid = Pid.current();
        Recording running = running();
        if (running != null) {
            Path dest = running.getDestination();
            return new Result(
                    null,
                    "running",
                    dest,
                    "a forensics recording already runs in pid " + pid + " since " + running.getStartTime()
                            + (dest == null ? "" : ", destined for " + dest) + "; nothing was started");
        }
        Configuration settings;
        try (InputStream in = ClassLoader.getSystemResourceAsStream("forensics.jfc")) {
            if (in == null) {
                return Result.failed(
                        AgentCommand.FAILED, "forensics.jfc is missing from the agent jar loaded in pid " + pid);
            }
            try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                settings = Configuration.create(r);
            }
        }
        Jfr.listenNow(); // the first Recording initialises JFR, and the listener registers our events before it records
        Recording rec = new Recording(settings);
        rec.setName(NAME);
        rec.setToDisk(true);
        rec.setMaxAge(maxAge != null ? maxAge : DEFAULT_MAX_AGE);
        rec.setMaxSize(maxSize > 0 ? maxSize : DEFAULT_MAX_SIZE);
        if (file != null) {
            String problem = preparePrivate(file);
            if (problem != null) {
                rec.close();
                return Result.failed(AgentCommand.FAILED, problem);
            }
            rec.setDestination(file);
            rec.setDumpOnExit(true); // the JVM's death must not cost the recording
        }
        rec.start();
        return new Result(
                null,
                "running",
                file,
                "started JFR recording '" + NAME + "' with forensics.jfc in pid " + pid
                        + " (keeping at most "
                        + Commands.duration(rec.getMaxAge().toMillis()) + " and " + rec.getMaxSize() / (1024 * 1024)
                        + " MB)"
                        + (file == null
                                ? "; forensics jfr dump " + pid + " writes it out"
                                : "; written to " + file + " when stopped or when the JVM exits"));
    }

    static synchronized Result dump(Path dir, Path file) throws Exception {
        Recording rec = running();
        if (rec == null) {
            return noRecording();
        }
        Path dest = file != null ? file : defaultFile(dir);
        String problem = dumpPrivately(rec, dest);
        if (problem != null) {
            return Result.failed(AgentCommand.FAILED, problem);
        }
        return new Result(
                null,
                "running",
                dest,
                "dumped the forensics recording of pid " + Pid.current() + " to " + dest + " (" + Files.size(dest)
                        + " bytes); it keeps recording");
    }

    static synchronized Result stop(Path dir, Path file) throws Exception {
        Recording rec = running();
        if (rec == null) {
            return noRecording();
        }
        Path destination = rec.getDestination();
        Path dest = file != null ? file : destination == null ? defaultFile(dir) : null;
        if (dest != null) {
            String problem = dumpPrivately(rec, dest);
            if (problem != null) {
                return Result.failed(AgentCommand.FAILED, problem + "; the recording keeps running");
            }
        }
        if (destination != null) {
            rec.stop(); // writes the destination given at start
        }
        rec.close();
        StringBuilder where = new StringBuilder();
        for (Path p : new Path[] {dest, destination}) {
            if (p != null && Files.exists(p)) {
                where.append(where.length() == 0 ? "" : " and ")
                        .append(p)
                        .append(" (")
                        .append(Files.size(p))
                        .append(" bytes)");
            }
        }
        return new Result(
                null,
                "closed",
                dest != null ? dest : destination,
                "stopped the forensics recording of pid " + Pid.current() + "; written to " + where);
    }

    private static Result noRecording() {
        long pid = Pid.current();
        return Result.failed(
                AgentCommand.NO_RECORDING,
                "no forensics recording runs in pid " + pid + "; start one with: forensics jfr start " + pid);
    }

    /** The running "forensics" recording; never starts JFR just to find there is none. */
    private static Recording running() {
        if (!FlightRecorder.isInitialized()) {
            return null;
        }
        for (Recording r : FlightRecorder.getFlightRecorder().getRecordings()) {
            if (NAME.equals(r.getName())
                    && (r.getState() == RecordingState.RUNNING || r.getState() == RecordingState.DELAYED)) {
                return r;
            }
        }
        return null;
    }

    private static Path defaultFile(Path dir) {
        return dir.resolve(
                "recording-" + Pid.current() + "-" + LocalDateTime.now().format(STAMP) + ".jfr");
    }

    /** Dumps into a fresh 0600 file beside the destination, then renames it over: never world-readable, never half. */
    private static String dumpPrivately(Recording rec, Path dest) throws IOException {
        String problem = checkDestination(dest);
        if (problem != null) {
            return problem;
        }
        Path tmp = dest.resolveSibling("." + dest.getFileName() + ".tmp" + Pid.current());
        Files.deleteIfExists(tmp);
        PrivateFiles.create(tmp).close();
        try {
            rec.dump(tmp);
            ownerOnly(tmp);
            Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return null;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A destination JFR writes at stop or exit: created 0600 now, so JFR writes into a private file. */
    private static String preparePrivate(Path dest) throws IOException {
        String problem = checkDestination(dest);
        if (problem == null && !Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
            PrivateFiles.create(dest).close();
        }
        return problem;
    }

    private static String checkDestination(Path dest) {
        Path parent = dest.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return "cannot write " + dest + ": no such directory";
        }
        if (!Files.isWritable(parent)) {
            return "cannot write " + dest + ": pid " + Pid.current() + " (user " + System.getProperty("user.name")
                    + ") may not write in " + parent;
        }
        if (Files.isSymbolicLink(dest)
                || Files.exists(dest, LinkOption.NOFOLLOW_LINKS)
                        && !Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS)) {
            return "refusing to write " + dest + ": it is not a regular file";
        }
        return null;
    }

    private static void ownerOnly(Path p) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | UnsupportedOperationException e) {
            // created 0600 already where POSIX permissions exist
        }
    }
}
