package dev.forensics.blackbox;

import dev.forensics.environment.Cgroups;
import dev.forensics.environment.Host;
import dev.forensics.environment.ProcessFacts;
import dev.forensics.report.Clock;
import dev.forensics.report.Finding;
import dev.forensics.report.PrivateFiles;
import dev.forensics.report.Reporter;
import dev.forensics.report.Text;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The black boxes earlier runs left in the output directory. A box of a process that is gone and was never closed
 * means that process died without a chance to speak; this class says when, and why where the machine kept
 * evidence: a grown OOM-kill counter, a fatal error log, a shutdown that was under way, a new boot. Each box is
 * claimed with an atomic rename first, so two JVMs starting on the same directory report a death once.
 */
final class PreviousRuns {
    private static final String BOX_PREFIX = "black-box-";
    private static final String BOX_SUFFIX = ".txt";
    private static final String CLAIMED = ".claimed-";
    static final int MAX_BOXES = 64;
    static final int MAX_VERDICT_FILES = 32;

    /** A box this JVM took over, with its fields (null when it was unreadable). */
    record Claimed(Path file, long pid, Map<String, String> box) {}

    /** What the earlier runs tell the doctor and the report. */
    record Outcome(List<String> lines, long lastShutdownMillis) {
        static final Outcome NONE = new Outcome(List.of(), -1);
    }

    private PreviousRuns() {}

    /** Takes over every box of a process that is no longer running; boxes of live JVMs sharing the directory stay. */
    static List<Claimed> claim(Host host, Path dir, long ourPid) {
        List<Claimed> out = new ArrayList<>();
        List<Path> candidates = new ArrayList<>();
        // A directory stream and a hand-written name check: a regex and a sorted stream cost start-up some 30 classes.
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                if (boxName(p.getFileName().toString()) != null) {
                    candidates.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        candidates.sort(null);
        if (candidates.size() > MAX_BOXES) {
            candidates = candidates.subList(0, MAX_BOXES);
        }
        for (Path p : candidates) {
            long[] name = boxName(p.getFileName().toString());
            if (name == null) {
                continue;
            }
            long pid = name[0];
            // A claim of our own pid is an earlier run's with the same pid (a container's pid 1) that died reading it.
            if (name[1] >= 0 && name[1] != ourPid && host.exists("/proc/" + name[1])) {
                continue; // another starting JVM is reading it now
            }
            Map<String, String> box = BoxFile.parse(Host.read(p));
            if (box != null) {
                if (ProcessFacts.isAlive(host, pid, num(box, "start_ticks"), box.get("boot_id"))) {
                    continue; // a live JVM sharing this directory
                }
            } else if (host.exists("/proc/" + pid) && pid != ourPid) {
                continue; // unreadable, and its pid runs: leave it rather than guess
            }
            Path claimed = p.resolveSibling("black-box-" + pid + ".txt.claimed-" + ourPid);
            try {
                Files.move(p, claimed, StandardCopyOption.ATOMIC_MOVE);
                out.add(new Claimed(claimed, pid, box));
            } catch (IOException | RuntimeException e) {
                // someone else claimed it first
            }
        }
        return out;
    }

    /** Reports each claimed box (a finding and a file for each death without last words), then removes it. */
    static Outcome examine(Host host, Path dir, List<Claimed> claimed) {
        return examine(host, dir, claimed, Reporter::report);
    }

    /** @param log where each death's finding goes (journal and application log); the verdict file is written at once */
    static Outcome examine(Host host, Path dir, List<Claimed> claimed, Consumer<Finding> log) {
        List<String> lines = new ArrayList<>();
        long lastShutdown = -1;
        long lastEnd = Long.MIN_VALUE;
        for (Claimed c : claimed) {
            try {
                Map<String, String> box = c.box();
                if (box == null) {
                    lines.add("an unreadable black box of pid " + c.pid()
                            + " was removed (the write was cut short, e.g. by a power loss)");
                    Reporter.journal("blackbox", lines.get(lines.size() - 1));
                } else if (BoxState.of(box.get("state")) == BoxState.CLOSED) {
                    long took = num(box, "closed_ms") - num(box, "shutdown_ms");
                    String line = "previous run (pid " + c.pid() + ", started " + when(box, "started") + ") ended at "
                            + when(box, "closed") + ": " + box.get("outcome")
                            + (num(box, "shutdown_ms") > 0 && took >= 0 ? "; its shutdown took " + seconds(took) : "");
                    lines.add(line);
                    Reporter.journal("blackbox", line);
                    if (num(box, "closed_ms") > lastEnd && num(box, "shutdown_ms") > 0 && took >= 0) {
                        lastEnd = num(box, "closed_ms");
                        lastShutdown = took;
                    }
                } else {
                    List<String> evidence = new ArrayList<>();
                    String verdict = verdict(host, box, evidence);
                    Path file = writeVerdict(dir, c.pid(), box, verdict, evidence);
                    lines.add(verdict);
                    log.accept(Finding.error(
                                    "blackbox",
                                    "previous-run:" + c.pid() + ":" + box.get("start_ticks"),
                                    verdict + (file == null ? "" : " — details in " + file))
                            .with("pid", c.pid())
                            .with("lastWords", file));
                    long shutdownAt = num(box, "shutdown_ms");
                    if (shutdownAt > 0 && num(box, "heartbeat_ms") > lastEnd) {
                        lastEnd = num(box, "heartbeat_ms");
                        lastShutdown = num(box, "heartbeat_ms") - shutdownAt; // at least this long, then it was killed
                    }
                }
            } finally {
                try {
                    Files.deleteIfExists(c.file());
                } catch (IOException | RuntimeException ignored) {
                    // left for the next start
                }
            }
        }
        return new Outcome(List.copyOf(lines), lastShutdown);
    }

    /**
     * One line saying how a run whose box was never closed ended: "previous run (pid N, started …) died without
     * last words at about <last heartbeat>; likely SIGKILL …" and the strongest explanation the evidence allows.
     */
    static String verdict(Host host, Map<String, String> b, List<String> evidence) {
        long interval = num(b, "heartbeat_interval_ms");
        String lastBeat = when(b, "heartbeat") + " (last heartbeat"
                + (interval > 0 ? "; one every " + seconds(interval) : "") + ")";
        String head = b.get("last_words") != null
                // Termination capture wrote last words when the shutdown began; the box says it never finished.
                ? "previous run (pid " + b.get("pid") + ", started " + when(b, "started")
                        + ") did not finish its shutdown and was gone at about " + lastBeat + "; its last words are in "
                        + b.get("last_words")
                : "previous run (pid " + b.get("pid") + ", started " + when(b, "started")
                        + ") died without last words at about " + lastBeat;
        String nowBoot = ProcessFacts.bootId(host);
        boolean bootKnown = b.get("boot_id") != null && nowBoot != null;
        boolean sameBoot = bootKnown && Objects.equals(b.get("boot_id"), nowBoot);
        List<String> why = new ArrayList<>();

        String memory = memoryNote(b);
        String hsErr = hsErr(host, b);
        if (hsErr != null) {
            evidence.add("fatal error log: " + hsErr);
            why.add("the JVM crashed: its fatal error log is " + hsErr);
        }
        int version = (int) num(b, "memory_cgroup_version");
        String cgDir = b.get("memory_cgroup_dir");
        boolean oom = false;
        if (sameBoot && hsErr == null) {
            long was = num(b, "oom_kill");
            long now = Cgroups.oomKillsNow(host, version, cgDir);
            long parentWas = num(b, "parent_oom_kill");
            long parentNow = Cgroups.oomKillsNow(host, 2, Cgroups.parent(cgDir));
            long hostWas = num(b, "host_oom_kill");
            long hostNow = Host.parseLong(Host.field(host.read("/proc/vmstat"), "oom_kill"), -1);
            if (cgDir != null) {
                evidence.add("oom_kill of " + cgDir + (version == 1 ? "/memory.oom_control" : "/memory.events") + ": "
                        + was + " at the last heartbeat, " + now + " now");
            }
            if (version == 2 && cgDir != null) {
                evidence.add("oom_kill of the parent cgroup " + Cgroups.parent(cgDir) + ": " + parentWas + " then, "
                        + parentNow + " now");
            }
            evidence.add("oom_kill in /proc/vmstat: " + hostWas + " then, " + hostNow + " now");
            if (was >= 0 && now > was) {
                why.add("likely SIGKILL from the kernel OOM killer: the oom_kill counter of its memory cgroup "
                        + b.get("memory_cgroup_path") + " went " + was + " → " + now + " since its last heartbeat"
                        + (memory == null ? "" : "; " + memory));
                oom = true;
            } else if (parentWas >= 0 && parentNow > parentWas && version == 2) {
                why.add("likely SIGKILL from the kernel OOM killer: the oom_kill counter of the parent cgroup "
                        + Cgroups.parent(b.get("memory_cgroup_path")) + " went " + parentWas + " → " + parentNow
                        + " since its last heartbeat" + (memory == null ? "" : "; " + memory));
                oom = true;
            } else if (hostWas >= 0 && hostNow > hostWas) {
                why.add(
                        "likely SIGKILL; the kernel OOM killer killed a process on this host since its last heartbeat (/proc/vmstat oom_kill "
                                + hostWas + " → " + hostNow + ")" + (memory == null ? "" : "; " + memory));
                oom = true;
            }
        } else if (bootKnown && !sameBoot) {
            evidence.add("boot id then " + b.get("boot_id") + ", now " + nowBoot);
        }
        String cause = b.getOrDefault("shutdown_cause", "");
        if (BoxState.of(b.get("state")) == BoxState.SHUTTING_DOWN && cause.contains("Runtime.halt")) {
            why.add(
                    0,
                    "it halted: " + cause
                            + " — Runtime.halt ends the JVM at once, without shutdown hooks or last words");
            evidence.add("state shutting-down since " + when(b, "shutdown") + " with cause " + cause);
        } else if (BoxState.of(b.get("state")) == BoxState.SHUTTING_DOWN) {
            long began = num(b, "shutdown_ms");
            long ran = num(b, "heartbeat_ms") - began;
            String hooks = b.get("hooks_running");
            StringBuilder s =
                    new StringBuilder(why.isEmpty() ? "likely SIGKILL during its shutdown" : "it was shutting down");
            s.append(": the shutdown began at ")
                    .append(when(b, "shutdown"))
                    .append(" (")
                    .append(b.get("shutdown_cause"))
                    .append(")")
                    .append(" and was still running ")
                    .append(seconds(Math.max(0, ran)))
                    .append(" later");
            s.append(hooks == null || hooks.isEmpty() ? "" : "; hook(s) still running: " + hooks);
            long timeout = num(b, "stop_timeout_ms");
            if (timeout > 0 && ran >= timeout * 8 / 10 - Math.max(interval, 1000)) {
                s.append("; that is about the stop timeout of ")
                        .append(b.get("supervisor"))
                        .append(", after which it sends SIGKILL");
            }
            why.add(s.toString());
            evidence.add("state shutting-down since " + when(b, "shutdown") + "; hooks running: "
                    + (hooks == null ? "none recorded" : hooks));
        } else if (bootKnown && !sameBoot && hsErr == null) {
            why.add(
                    "the host restarted in between (its boot id changed) without the JVM shutting down: a power loss, a hard reset, a kernel "
                            + "panic or a virtual machine stopped from outside");
        }
        if (why.isEmpty()) {
            why.add(
                    "likely SIGKILL (kill -9, a supervisor or container runtime that stopped waiting, or the OOM killer with no counter to show it)"
                            + (memory != null && fraction(b, "memory_usage", "memory_limit") >= 0.9
                                    ? "; " + memory
                                    : ""));
        }
        String flags = b.getOrDefault("flags", "");
        boolean shuttingDown = BoxState.of(b.get("state")) == BoxState.SHUTTING_DOWN;
        if (flags.contains("Xrs") && hsErr == null && !oom && !shuttingDown) {
            why.add(
                    "or a SIGTERM, SIGINT or SIGHUP: with -Xrs the JVM has no handler for them and dies at once, without hooks");
        }
        if (flags.contains("ExitOnOutOfMemoryError") && hsErr == null && !oom && !shuttingDown) {
            double heap = fraction(b, "heap_used", "heap_max");
            why.add("or -XX:+ExitOnOutOfMemoryError ended it (exit status 3, no hooks)"
                    + (heap >= 0 ? ": the heap was " + Text.whole(heap * 100) + "% full at the last heartbeat" : ""));
        }
        return head + "; " + String.join("; ", why);
    }

    /** A time field in human form: the "_ms" value formatted, else the stored text. */
    static String when(Map<String, String> b, String key) {
        long ms = num(b, key + "_ms");
        return ms > 0 ? human(ms) : b.getOrDefault(key, "an unknown time");
    }

    static String memoryNote(Map<String, String> b) {
        long usage = num(b, "memory_usage");
        long limit = num(b, "memory_limit");
        if (usage < 0) {
            return null;
        }
        if (limit <= 0) {
            return "its cgroup used " + Cgroups.bytes(usage) + " (no limit) at the last heartbeat";
        }
        return "its cgroup used " + Cgroups.bytes(usage) + " of its " + Cgroups.bytes(limit) + " limit ("
                + Text.whole(100.0 * usage / limit) + "%) at the last heartbeat";
    }

    private static double fraction(Map<String, String> b, String part, String whole) {
        long p = num(b, part);
        long w = num(b, whole);
        return p < 0 || w <= 0 ? -1 : (double) p / w;
    }

    /** hs_err_pid<N>.log where HotSpot writes it: -XX:ErrorFile, else the working directory, else /tmp. */
    static String hsErr(Host host, Map<String, String> b) {
        String pid = b.get("pid");
        List<String> candidates = new ArrayList<>();
        String errorFile = b.get("error_file");
        String cwd = b.get("cwd");
        if (errorFile != null && !errorFile.isEmpty()) {
            String f = errorFile.replace("%p", pid).replace("%%", "%");
            candidates.add(f.startsWith("/") || cwd == null ? f : cwd + "/" + f);
        }
        if (cwd != null) {
            candidates.add(cwd + "/hs_err_pid" + pid + ".log");
        }
        candidates.add("/tmp/hs_err_pid" + pid + ".log");
        long heartbeat = num(b, "heartbeat_ms");
        for (String c : candidates) {
            Path p = host.path(c);
            try {
                // A log older than the run is another process's with the same pid.
                if (Files.isRegularFile(p)
                        && Files.getLastModifiedTime(p).toMillis() >= num(b, "started_ms") - 1000
                        && (heartbeat < 0 || Files.getLastModifiedTime(p).toMillis() >= heartbeat - 60_000)) {
                    return c;
                }
            } catch (IOException | RuntimeException ignored) {
                // next candidate
            }
        }
        return null;
    }

    private static Path writeVerdict(
            Path dir, long pid, Map<String, String> box, String verdict, List<String> evidence) {
        long at = num(box, "heartbeat_ms");
        Path file = dir.resolve("no-last-words-" + pid + "-"
                + Clock.compact(at > 0 ? at : System.currentTimeMillis()).substring(0, 15) + ".txt");
        StringBuilder sb = new StringBuilder();
        sb.append(verdict).append("\n\nevidence:\n");
        for (String e : evidence) {
            sb.append("  ").append(e).append('\n');
        }
        sb.append("\nits black box as last written:\n");
        for (Map.Entry<String, String> e : box.entrySet()) {
            sb.append("  ").append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        try {
            PrivateFiles.writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
            prune(dir);
            return file;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * {@code black-box-<pid>.txt} → {pid, -1}; {@code black-box-<pid>.txt.claimed-<claimer>} → {pid, claimer}; any
     * other name → null.
     */
    static long[] boxName(String name) {
        if (!name.startsWith(BOX_PREFIX)) {
            return null;
        }
        int i = BOX_PREFIX.length();
        int digits = digits(name, i);
        if (digits == i || !name.startsWith(BOX_SUFFIX, digits)) {
            return null;
        }
        long pid = parse(name, i, digits);
        int rest = digits + BOX_SUFFIX.length();
        if (rest == name.length()) {
            return pid < 0 ? null : new long[] {pid, -1};
        }
        if (!name.startsWith(CLAIMED, rest)) {
            return null;
        }
        int c = rest + CLAIMED.length();
        int end = digits(name, c);
        if (end == c || end != name.length()) {
            return null;
        }
        long claimer = parse(name, c, end);
        return pid < 0 || claimer < 0 ? null : new long[] {pid, claimer};
    }

    private static int digits(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    /** The number in s[from, to), or -1 when it does not fit a long. */
    private static long parse(String s, int from, int to) {
        if (to - from > 18) {
            return -1;
        }
        return Long.parseLong(s, from, to, 10);
    }

    /** Keeps the newest {@value #MAX_VERDICT_FILES} verdict files. */
    private static void prune(Path dir) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            List<Path> files = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            for (Path p : s) {
                if (p.getFileName().toString().startsWith("no-last-words-") && files.size() < 10_000) {
                    files.add(p);
                    times.add(modified(p));
                }
            }
            if (files.size() <= MAX_VERDICT_FILES) {
                return;
            }
            // The oldest go, by repeated selection (no comparator lambda: this runs at start-up, and rarely has work).
            for (int left = files.size(); left > MAX_VERDICT_FILES; left--) {
                int oldest = 0;
                for (int i = 1; i < files.size(); i++) {
                    if (times.get(i) < times.get(oldest)) {
                        oldest = i;
                    }
                }
                Files.deleteIfExists(files.get(oldest));
                files.remove(oldest);
                times.remove(oldest);
            }
        } catch (IOException | RuntimeException ignored) {
            // a few extra files are harmless
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    static long num(Map<String, String> b, String key) {
        return b == null ? -1 : Host.parseLong(b.get(key), -1);
    }

    static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : Text.oneDecimal(millis / 1000.0) + " s";
    }

    static String human(long millis) {
        String t = Clock.timestamp(millis); // yyyy-MM-dd HH:mm:ss.SSS xx, by hand: no DateTimeFormatter at start-up
        return t.substring(0, 19) + t.substring(23);
    }
}
