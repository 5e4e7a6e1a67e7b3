package dev.forensics.targets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Lets a target wait until the agent's off-thread installation has been journaled, as a long-running service would be. */
public final class AgentReady {
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) hooks active, (\\d+) missing, (\\d+) not applicable");
    /** A hook's line in a text journal, or in a JSON one (journalFormat=json). */
    private static final Pattern HOOK_LINE = Pattern.compile("(\\sagent\\s+|\"category\":\"agent\",\"message\":\")hook \\S+ ");

    private AgentReady() {}

    /** The summary line comes first and holds the counts; one line per hook follows, and a test may look for those. */
    static boolean selfCheckComplete(String journal) {
        Matcher m = SUMMARY.matcher(journal);
        if (!m.find()) {
            return false;
        }
        int hooks = Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) + Integer.parseInt(m.group(3));
        return journal.lines().filter(l -> HOOK_LINE.matcher(l).find()).count() >= hooks;
    }

    /** This JVM's journal in dir: journal-<pid>-<start>.log (the newest, should there be several), or null. */
    public static Path journal(String dir) {
        String head = "journal-" + ProcessHandle.current().pid() + "-";
        try (java.util.stream.Stream<Path> s = Files.list(Paths.get(dir))) {
            return s.filter(p -> (p.getFileName().toString().startsWith(head) && p.getFileName().toString().endsWith(".log")
                    || p.getFileName().toString().equals(head.substring(0, head.length() - 1) + ".log")))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString())).orElse(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    public static void await(String dir) throws Exception {
        Path journal = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            journal = journal != null ? journal : journal(dir);
            if (journal != null && Files.exists(journal) && selfCheckComplete(Files.readString(journal))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("agent did not report its installation in " + (journal != null ? journal : dir));
    }
}
