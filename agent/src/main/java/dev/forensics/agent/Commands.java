package dev.forensics.agent;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.Feature;
import dev.forensics.environment.Doctor;
import dev.forensics.environment.Risks;
import dev.forensics.report.Jfr;
import dev.forensics.report.Json;
import dev.forensics.report.Pid;
import dev.forensics.report.RecentFindings;
import dev.forensics.report.Reporter;
import dev.forensics.report.Section;
import dev.forensics.report.Sections;
import dev.forensics.report.Text;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the agent answers to the forensics CLI: its self-check, the current report (every registered
 * {@link Section}, the findings so far, a few health figures), the doctor's risks, and JFR recordings. Every answer
 * is text for a person or JSON for a script, built from the same data; nothing here may throw into the channel.
 */
final class Commands {

    private final AgentRuntime runtime;
    private final long pid = Pid.current();

    Commands(AgentRuntime runtime) {
        this.runtime = runtime;
    }

    /** The whole response file: a header line, then the body. */
    String answer(String raw) {
        AgentCommand c;
        try {
            c = AgentCommand.parse(raw);
        } catch (IllegalArgumentException e) {
            Reporter.journal("agent", "rejected a request from the forensics CLI: " + e.getMessage());
            return error(AgentCommand.BAD_REQUEST, e.getMessage());
        }
        try {
            switch (c.name()) {
                case "status": {
                    Duration wait = c.waitFor(Duration.ofSeconds(20));
                    return c.json() ? ok(c, status(wait), null) : ok(c, null, statusLines(wait));
                }
                case "report":
                    return report(c);
                case "doctor":
                    return doctor(c);
                default:
                    return jfr(c);
            }
        } catch (Throwable t) {
            Reporter.journal("agent", "request '" + c.name() + "' from the forensics CLI failed: " + t);
            return error(AgentCommand.FAILED, c.name() + " failed in pid " + pid + ": " + t);
        }
    }

    private static String ok(AgentCommand c, Map<String, Object> data, List<String> lines) {
        if (c.json()) {
            return AgentCommand.OK + "\n" + Json.write(data) + "\n";
        }
        return AgentCommand.OK + "\n" + String.join("\n", lines) + "\n";
    }

    private static String error(String code, String message) {
        return AgentCommand.ERROR + code + " " + message.replace('\n', ' ') + "\n";
    }

    // ---- status: the self-check -------------------------------------------------------------------------------

    private HookStatus.Report awaitReport(Duration wait) {
        try {
            runtime.awaitInstalled(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return runtime.hookReport();
    }

    Map<String, Object> status(Duration wait) {
        HookStatus.Report r = awaitReport(wait);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", AgentRuntime.VERSION);
        m.put("pid", pid);
        m.put("jdk", Text.jdkVersion());
        m.put("loaded", runtime.attached() ? "attach" : "startup");
        m.put("since", Instant.ofEpochMilli(runtime.startedMillis()).toString());
        m.put("dir", runtime.dir().toString());
        Path journal = Reporter.journalFile();
        m.put("journal", journal == null ? null : journal.toString());
        m.put("installed", r != null);
        if (r != null) {
            m.put("installMillis", runtime.installMillis());
            m.put(
                    "hooksActive",
                    r.in(HookStatus.State.ACTIVE, HookStatus.State.READY).size());
            m.put(
                    "hooksMissing",
                    r.in(HookStatus.State.MISSING, HookStatus.State.FAILED).size());
            m.put("hooksNotApplicable", r.in(HookStatus.State.NOT_APPLICABLE).size());
            m.put("transformationErrors", r.transformationErrors());
            List<Object> hooks = new ArrayList<>();
            for (HookStatus.Entry e : r.entries()) {
                Map<String, Object> h = new LinkedHashMap<>();
                h.put("name", e.hook().name());
                h.put("feature", Feature.name(e.hook().feature()));
                h.put("state", e.state().name().toLowerCase(Locale.ROOT));
                h.put("detail", e.detail());
                hooks.add(h);
            }
            m.put("hooks", hooks);
        }
        m.put("adviceErrors", AdviceErrors.total());
        m.put("disabledFeatures", disabledFeatures());
        m.put("options", runtime.options().given());
        return m;
    }

    List<String> statusLines(Duration wait) {
        HookStatus.Report r = awaitReport(wait);
        List<String> out = new ArrayList<>();
        out.add("forensics " + AgentRuntime.VERSION + " in pid " + pid + " on JDK " + Text.jdkVersion() + ", loaded "
                + (runtime.attached() ? "by attach " : "at startup ") + age(runtime.startedMillis()) + " ago");
        Path journal = Reporter.journalFile();
        out.add("output directory: " + runtime.dir()
                + (journal == null ? "" : " (journal " + journal.getFileName() + ")"));
        if (r == null) {
            out.add("self-check: installation not finished after " + wait.toSeconds()
                    + " s; ask again with forensics report");
        } else {
            out.add("self-check: "
                    + r.in(HookStatus.State.ACTIVE, HookStatus.State.READY).size() + " hooks active, "
                    + r.in(HookStatus.State.MISSING, HookStatus.State.FAILED).size() + " missing, "
                    + r.in(HookStatus.State.NOT_APPLICABLE).size() + " not applicable; installed in "
                    + runtime.installMillis()
                    + " ms; " + AdviceErrors.total() + " advice errors, " + r.transformationErrors()
                    + " transformation errors");
            for (HookStatus.Entry e : r.entries()) {
                out.add("  hook " + e.hook().name() + " " + e.state().name().toLowerCase(Locale.ROOT) + ": "
                        + e.detail());
            }
        }
        List<String> disabled = disabledFeatures();
        if (!disabled.isEmpty()) {
            out.add("disabled after an internal error: " + String.join(", ", disabled));
        }
        String given = runtime.options().given();
        out.add("options: " + (given.isEmpty() ? "(defaults)" : given));
        return out;
    }

    private static List<String> disabledFeatures() {
        List<String> out = new ArrayList<>();
        for (int f = 1; f < Feature.COUNT; f++) {
            if (AdviceErrors.first(f) != null) {
                out.add(Feature.name(f));
            }
        }
        return out;
    }

    // ---- report: everything the agent knows now ---------------------------------------------------------------

    private String report(AgentCommand c) {
        Duration wait = Duration.ofSeconds(5);
        List<RecentFindings.Entry> findings = RecentFindings.snapshot();
        List<Section> sections = Sections.all();
        if (c.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", pid);
            m.put("time", Instant.now().toString());
            m.put("agent", status(wait));
            m.put("jvm", health());
            m.put("findings", findingsData(findings));
            m.put("findingsDropped", RecentFindings.dropped());
            m.put("sections", sectionsData(sections));
            return ok(c, m, null);
        }
        List<String> out = new ArrayList<>(statusLines(wait));
        out.add("");
        out.add(healthLine(health()));
        out.add("");
        out.addAll(findingsLines(findings, "Findings"));
        List<String> rendered = Sections.render();
        if (!rendered.isEmpty()) {
            out.add("");
            out.addAll(rendered);
        }
        return ok(c, null, out);
    }

    private static List<Object> findingsData(List<RecentFindings.Entry> findings) {
        List<Object> list = new ArrayList<>();
        for (RecentFindings.Entry e : findings) {
            list.add(RecentFindings.toData(e));
        }
        return list;
    }

    private static List<String> findingsLines(List<RecentFindings.Entry> findings, String title) {
        List<String> out = new ArrayList<>();
        long dropped = RecentFindings.dropped();
        out.add(title + " (" + findings.size() + " distinct, newest first"
                + (dropped > 0 ? "; " + dropped + " older ones forgotten" : "") + "):");
        if (findings.isEmpty()) {
            out.add("  (none)");
        }
        for (RecentFindings.Entry e : findings) {
            out.add("  " + hhmmss(e.last()) + " " + e.finding().severity() + " "
                    + e.finding().category() + ": " + e.finding().message()
                    + (e.count() > 1 ? " (" + e.count() + " times since " + hhmmss(e.first()) + ")" : ""));
        }
        return out;
    }

    private static List<Object> sectionsData(List<Section> sections) {
        List<Object> list = new ArrayList<>();
        for (Section s : sections) {
            Map<String, Object> m = new LinkedHashMap<>();
            try {
                m.put("title", s.title());
                m.put("lines", s.lines());
                m.put("data", s.data());
            } catch (Throwable t) {
                m.put("error", String.valueOf(t));
            }
            list.add(m);
        }
        return list;
    }

    /** Cheap figures a person checks first when a service misbehaves. */
    Map<String, Object> health() {
        Runtime rt = Runtime.getRuntime();
        Map<String, Object> m = new LinkedHashMap<>();
        ProcessHandle.current()
                .info()
                .startInstant()
                .ifPresent(s ->
                        m.put("uptimeMillis", Duration.between(s, Instant.now()).toMillis()));
        m.put("heapUsedBytes", rt.totalMemory() - rt.freeMemory());
        m.put("heapCommittedBytes", rt.totalMemory());
        m.put("heapMaxBytes", rt.maxMemory());
        m.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
        m.put("processors", rt.availableProcessors());
        long fds = openFiles();
        if (fds >= 0) {
            m.put("openFiles", fds);
        }
        long rss = rssBytes();
        if (rss >= 0) {
            m.put("rssBytes", rss);
        }
        return m;
    }

    private static String healthLine(Map<String, Object> h) {
        StringBuilder sb = new StringBuilder("JVM:");
        Object up = h.get("uptimeMillis");
        if (up != null) {
            sb.append(" up ").append(duration((Long) up)).append(';');
        }
        sb.append(" heap ")
                .append(mb(h.get("heapUsedBytes")))
                .append(" used of ")
                .append(mb(h.get("heapMaxBytes")))
                .append(" max;");
        sb.append(' ').append(h.get("threads")).append(" threads");
        if (h.containsKey("openFiles")) {
            sb.append("; ").append(h.get("openFiles")).append(" open files");
        }
        if (h.containsKey("rssBytes")) {
            sb.append("; RSS ").append(mb(h.get("rssBytes")));
        }
        return sb.toString();
    }

    private static long openFiles() {
        long n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Paths.get("/proc/self/fd"))) {
            for (Path ignored : fds) {
                if (++n >= 1_000_000) {
                    break;
                }
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no figure
        }
        return -1;
    }

    // ---- doctor: start-up risks --------------------------------------------------------------------------------

    /** Runs the doctor now in this JVM, so the answer is current and exists even when the start-up check was off. */
    private String doctor(AgentCommand c) {
        Doctor.Report report = Risks.examineNow(runtime.options().sources());
        if (c.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", pid);
            m.put("version", AgentRuntime.VERSION);
            m.put("examinedMicros", report.micros());
            m.putAll(Risks.data(report));
            return ok(c, m, null);
        }
        List<String> out = new ArrayList<>();
        out.add("forensics doctor, pid " + pid + " (forensics " + AgentRuntime.VERSION + "), examined now in "
                + Math.max(1, report.micros() / 1000) + " ms:");
        List<String> lines = Risks.lines(report);
        if (lines.isEmpty()) {
            out.add("  no risks found");
        } else {
            for (String l : lines) {
                out.add("  " + l);
            }
        }
        return ok(c, null, out);
    }

    // ---- jfr ----------------------------------------------------------------------------------------------------

    private String jfr(AgentCommand c) throws Exception {
        if (!Jfr.AVAILABLE) {
            return error(
                    AgentCommand.UNAVAILABLE,
                    "pid " + pid + " runs without the jdk.jfr module; no recording is possible");
        }
        JfrCommands.Result r;
        switch (c.name()) {
            case "jfr-start":
                r = JfrCommands.start(runtime.dir(), c.file(), c.maxAge(), c.maxSize());
                break;
            case "jfr-dump":
                r = JfrCommands.dump(runtime.dir(), c.file());
                break;
            default:
                r = JfrCommands.stop(runtime.dir(), c.file());
                break;
        }
        if (r.error() != null) {
            return error(r.error(), r.message());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", pid);
        m.put("recording", JfrCommands.NAME);
        m.put("state", r.state());
        m.put("file", r.file() == null ? null : r.file().toString());
        m.put("message", r.message());
        return ok(c, m, List.of(r.message()));
    }

    // ---- formatting ----------------------------------------------------------------------------------------------

    private static String age(long sinceMillis) {
        return duration(System.currentTimeMillis() - sinceMillis);
    }

    static String duration(long millis) {
        long s = Math.max(0, millis / 1000);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m " + (s % 60) + "s";
        }
        if (s < 86400) {
            return (s / 3600) + "h " + (s % 3600 / 60) + "m";
        }
        return (s / 86400) + "d " + (s % 86400 / 3600) + "h";
    }

    private static String mb(Object bytes) {
        return bytes instanceof Long ? ((Long) bytes) / (1024 * 1024) + " MB" : "?";
    }

    /** HH:mm:ss, local; by hand, as a DateTimeFormatter's first use loads some 160 classes. */
    private static String hhmmss(java.time.Instant at) {
        return dev.forensics.report.Clock.timeOfDay(at.toEpochMilli()).substring(0, 8);
    }
}
