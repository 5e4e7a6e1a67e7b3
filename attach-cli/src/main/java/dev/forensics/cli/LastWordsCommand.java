package dev.forensics.cli;

import dev.forensics.report.Json;
import dev.forensics.report.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Prints what dead JVMs left behind: last words (written as the JVM went) and black-box verdicts (written by the
 * next start when a JVM died without a word), newest first. Reads files only; no JVM needs to be running.
 */
@Command(
        name = "lastwords",
        mixinStandardHelpOptions = true,
        description = {
            "Prints the last words (last-words-*) and black-box verdicts (no-last-words-*, previous-run-*, *verdict*) found in an "
                    + "output directory: first the newest one's verdict (why the JVM went, and what happens next), then every file, newest "
                    + "first, each under a header naming the file. Needs no running JVM."
        })
final class LastWordsCommand implements Callable<Integer> {
    static final long MAX_BYTES = 1024 * 1024;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Parameters(
            arity = "0..1",
            paramLabel = "<dir|file>",
            defaultValue = "forensics",
            description = "The agent's output directory, or one file (default: ./forensics).")
    Path path;

    @Option(
            names = {"-n", "--count"},
            paramLabel = "N",
            description = "Only the newest N files.")
    Integer count;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    record Found(Path file, long modifiedMillis, String kind) {}

    @Override
    public Integer call() throws IOException {
        if (!Files.exists(path)) {
            throw new CliException(
                    ExitCodes.FAILED,
                    "no such file or directory: " + path.toAbsolutePath().normalize());
        }
        List<Found> found = find(path);
        if (count != null) {
            found = found.subList(0, Math.min(Math.max(count, 0), found.size()));
        }
        if (json) {
            List<Object> list = new ArrayList<>();
            for (Found f : found) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("file", f.file().toString());
                m.put("kind", f.kind());
                m.put(
                        "modified",
                        java.time.Instant.ofEpochMilli(f.modifiedMillis()).toString());
                String text = read(f.file());
                m.put("verdict", head(text));
                m.put("text", text);
                list.add(m);
            }
            System.out.println(Json.write(list));
            return ExitCodes.OK;
        }
        if (found.isEmpty()) {
            System.out.println("no last words or black-box verdicts in "
                    + path.toAbsolutePath().normalize());
            return ExitCodes.OK;
        }
        // The newest death's verdict first, before any header: `forensics lastwords | head -2` is the answer.
        List<String> newest = head(read(found.get(0).file()));
        for (String line : newest) {
            System.out.println(
                    Printable.line(line)); // escaped like the file below: the first line is the one trusted most
        }
        boolean first = newest.isEmpty();
        for (Found f : found) {
            if (!first) {
                System.out.println();
            }
            first = false;
            System.out.println("==> " + f.file() + " (" + f.kind() + ", "
                    + TIME.format(java.time.Instant.ofEpochMilli(f.modifiedMillis())) + ") <==");
            System.out.print(printable(read(f.file())));
        }
        return ExitCodes.OK;
    }

    /** Last words and verdicts, newest first; a single file is taken as it is. */
    static List<Found> find(Path path) throws IOException {
        List<Found> out = new ArrayList<>();
        if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            out.add(new Found(
                    path,
                    Files.getLastModifiedTime(path).toMillis(),
                    kind(path.getFileName().toString())));
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(path)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                String kind = kind(name);
                if (kind != null && !name.contains(".tmp") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.add(new Found(p, Files.getLastModifiedTime(p).toMillis(), kind));
                }
            }
        }
        out.sort((a, b) -> a.modifiedMillis() != b.modifiedMillis()
                ? Long.compare(b.modifiedMillis(), a.modifiedMillis())
                : b.file()
                        .getFileName()
                        .toString()
                        .compareTo(a.file().getFileName().toString()));
        return out;
    }

    /**
     * The verdict that heads a file: its lines before the first blank one, at most two (the cause, and what happens
     * next); empty for a file that does not start that way.
     */
    static List<String> head(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n", 4)) {
            if (line.isBlank() || out.size() == 2) {
                break;
            }
            out.add(line);
        }
        return out;
    }

    static String kind(String name) {
        if (name.startsWith("last-words-")) {
            return "last words";
        }
        if (name.startsWith("no-last-words-") || name.startsWith("previous-run-") || name.contains("verdict")) {
            return "black-box verdict";
        }
        return null;
    }

    /**
     * The file's lines with control characters escaped: a file written by another agent version, or planted, must not
     * drive the operator's terminal (an ANSI sequence can rewrite the verdict on screen).
     */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            out.append(Printable.line(text.substring(start, end))).append('\n');
            start = end + 1;
        }
        return out.toString();
    }

    /** Not through a link: root reading another user's directory must not print whatever a link there names. */
    private static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return "[not a regular file; not read]\n";
        }
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] b = in.readNBytes((int) MAX_BYTES + 1);
            String text = new String(b, 0, (int) Math.min(b.length, MAX_BYTES), StandardCharsets.UTF_8);
            return b.length > MAX_BYTES ? text + "\n[… cut at " + MAX_BYTES + " bytes; the file is longer]\n" : text;
        }
    }
}
