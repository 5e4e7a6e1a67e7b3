package dev.forensics.blackbox;

import dev.forensics.environment.Cgroups;
import dev.forensics.environment.Doctor;
import dev.forensics.environment.Host;
import dev.forensics.environment.JvmArgs;
import dev.forensics.environment.ProcStat;
import dev.forensics.environment.ProcessFacts;
import dev.forensics.environment.Risks;
import dev.forensics.report.Finding;
import dev.forensics.report.Jfr;
import dev.forensics.report.Pid;
import dev.forensics.report.Redaction;
import dev.forensics.report.Reporter;
import dev.forensics.report.Section;
import dev.forensics.report.Sections;
import dev.forensics.report.Stderr;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The black box's work, on its own daemon thread: claim and explain earlier runs' boxes, run the doctor, then
 * sample and rewrite this run's box every heartbeat until the JVM closes it. Loaded off premain, on that thread.
 */
final class Recorder {
    static final long SHUTDOWN_INTERVAL_MILLIS = 1000;
    static final int MAX_HOOK_NAMES = 16;
    /** Start-up findings reach the application's log only after this long, or at shutdown if that comes first. */
    static final long SETTLE_MILLIS = 5000;

    static final int MAX_PENDING = 64;

    private final Host host;
    private final Path dir;
    private final long intervalMillis;
    private final boolean boxOn;
    private final boolean doctorOn;
    private final List<String> unitPath;
    private final Instrumentation inst;
    private final long pid = Pid.current();
    private final Map<String, String> identity = new LinkedHashMap<>();
    private final Set<String> apiHooks = new LinkedHashSet<>();
    private final Object lock = new Object();

    private BoxFile box;
    private Cgroups.MemoryDir memoryDir;
    private Cgroups.MemorySample sample = Cgroups.MemorySample.NONE;
    private volatile BoxState state = BoxState.RUNNING;
    private long heartbeatMillis = -1;
    private long heartbeats;
    private long shutdownMillis = -1;
    private String shutdownCause;
    private boolean causeFromApi;
    private volatile List<Thread> hookSnapshot = List.of();
    /** How long a registered hook may take to be started by the JDK's runHooks before it is taken as never starting. */
    private static final long HOOK_START_NANOS = 2_000_000_000L;

    private volatile List<Thread> hooksAtShutdown = List.of();
    private long closedMillis = -1;
    private String outcome;
    private String lastWords;
    private Doctor.Supervisor supervisor;
    private volatile PreviousRuns.Outcome previous = PreviousRuns.Outcome.NONE;
    private volatile boolean failed;
    private boolean writeFailureSaid;
    private final List<Finding> pending = new ArrayList<>();
    private boolean settled;
    private final long settleAt = System.nanoTime() + SETTLE_MILLIS * 1_000_000;

    Recorder(
            Host host,
            Path dir,
            long intervalMillis,
            boolean boxOn,
            boolean doctorOn,
            List<String> unitPath,
            Instrumentation inst) {
        this.host = host;
        this.dir = dir;
        this.intervalMillis = intervalMillis;
        this.boxOn = boxOn;
        this.doctorOn = doctorOn;
        this.unitPath = unitPath;
        this.inst = inst;
    }

    Path file() {
        return dir.resolve(BlackBox.fileName(pid));
    }

    // ---- the thread ------------------------------------------------------------------------------------------

    /** Counted down once the first pass (claim, first write, earlier runs, doctor) is done, or failed. */
    final java.util.concurrent.CountDownLatch firstPass = new java.util.concurrent.CountDownLatch(1);

    void run() {
        try {
            long t0 = System.nanoTime();
            long t1 = t0;
            long t2 = t0;
            long t3 = t0;
            if (boxOn) {
                List<PreviousRuns.Claimed> claimed = PreviousRuns.claim(host, dir, pid);
                identify();
                synchronized (lock) {
                    try {
                        box = BoxFile.create(dir.resolve(BlackBox.fileName(pid)));
                        sampleAndWrite();
                    } catch (java.io.IOException e) {
                        unwritable(e); // the earlier runs' boxes are still examined and removed below
                    }
                }
                t1 = System.nanoTime();
                previous = PreviousRuns.examine(host, dir, claimed, this::deliver);
                Sections.register(new BoxSection());
                t2 = System.nanoTime();
                if (HookThreads.open(inst)) {
                    List<Thread> hooks = HookThreads.registered();
                    if (hooks != null) {
                        hookSnapshot = hooks;
                    }
                }
                t3 = System.nanoTime();
            }
            long d0 = System.nanoTime();
            if (doctorOn) {
                doctor();
            }
            long d1 = System.nanoTime();
            if (!boxOn || box == null) {
                firstPass.countDown();
                long wait = (settleAt - System.nanoTime()) / 1_000_000;
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                settle();
                return;
            }
            Reporter.journal(
                    "blackbox",
                    "black box " + dir.resolve(BlackBox.fileName(pid)) + ": heartbeat every "
                            + PreviousRuns.seconds(intervalMillis)
                            + "; first write after " + (t1 - t0) / 1_000_000 + " ms, earlier runs checked in "
                            + (t2 - t1) / 1_000_000
                            + " ms, hook list opened in " + (t3 - t2) / 1_000_000 + " ms, doctor "
                            + (d1 - d0) / 1_000_000 + " ms (on this thread, not the application's)");
            firstPass.countDown();
            while (state != BoxState.CLOSED) {
                long sleep =
                        state == BoxState.RUNNING ? intervalMillis : Math.min(intervalMillis, SHUTDOWN_INTERVAL_MILLIS);
                long untilSettled = (settleAt - System.nanoTime()) / 1_000_000;
                Thread.sleep(isSettled() ? sleep : Math.max(1, Math.min(sleep, untilSettled)));
                if (!isSettled() && System.nanoTime() - settleAt >= 0) {
                    settle();
                }
                if (Jfr.AVAILABLE) {
                    Jfr.ready(); // notices a recording started since (jcmd, JMC), for the periodic events
                }
                synchronized (lock) {
                    List<Thread> hooks = state == BoxState.RUNNING ? HookThreads.registered() : null;
                    if (hooks != null) {
                        hookSnapshot = hooks; // null once the JDK has begun the shutdown: keep the last list
                    }
                    try {
                        sampleAndWrite();
                    } catch (java.io.IOException e) {
                        if (!writeFailureSaid) { // a full disk: said once, tried again at the next heartbeat
                            writeFailureSaid = true;
                            Reporter.journal(
                                    "blackbox",
                                    "black box " + file() + " cannot be written now (" + e
                                            + "); trying again at each heartbeat");
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failed = true;
            BlackBox.disable(this);
            String line = "forensics: black box disabled after an internal error; the application is unaffected: " + t;
            Stderr.line(line);
            Reporter.journal("blackbox", line);
        } finally {
            firstPass.countDown();
        }
    }

    /** The box cannot be written at all (a full or read-only disk): no empty box is left behind, and no stderr line. */
    private void unwritable(java.io.IOException e) {
        if (box != null) {
            box.discard();
            box = null;
        }
        failed = true;
        BlackBox.disable(this);
        Reporter.journal("blackbox", "black box off: " + file() + " cannot be written (" + e + ")");
    }

    /** The doctor fails on its own: the black box keeps going without it. */
    private void doctor() {
        try {
            Doctor.Report report = Doctor.examine(
                    Doctor.Inputs.self(host).unitPath(unitPath).previousShutdownMillis(previous.lastShutdownMillis()));
            Risks.publish(report, this::deliver);
            synchronized (lock) {
                supervisor = report.supervisor();
            }
        } catch (Throwable t) {
            String line = "forensics: doctor disabled after an internal error; the application is unaffected: " + t;
            Stderr.line(line);
            Reporter.journal("doctor", line);
        }
    }

    /** The fields that never change during the run. */
    private void identify() {
        ProcStat self = ProcStat.of(host, "self");
        long ticks = self == null ? -1 : self.startTicks();
        long startedMs = ProcessFacts.startMillis(host, ticks);
        if (startedMs < 0) {
            startedMs = ProcessHandle.current()
                    .info()
                    .startInstant()
                    .map(i -> i.toEpochMilli())
                    .orElse(System.currentTimeMillis());
        }
        JvmArgs args = JvmArgs.of(host, "self");
        List<String> flags = new ArrayList<>();
        for (String f : new String[] {"ExitOnOutOfMemoryError", "CrashOnOutOfMemoryError"}) {
            if (args.flag(f)) {
                flags.add(f);
            }
        }
        if (args.reducedSignals()) {
            flags.add("Xrs");
        }
        List<String> argv = args.commandLine();
        String command = argv.isEmpty()
                ? "java " + System.getProperty("sun.java.command", "")
                : Redaction.commandLine(argv.toArray(new String[0]));
        memoryDir = Cgroups.memoryDir(host, "self");
        identity.put("pid", Long.toString(pid));
        identity.put("boot_id", ProcessFacts.bootId(host));
        identity.put("start_ticks", Long.toString(ticks));
        identity.put("started_ms", Long.toString(startedMs));
        identity.put("started", PreviousRuns.human(startedMs));
        identity.put(
                "jvm",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
                        + System.getProperty("java.vm.vendor") + ")");
        identity.put("command", command);
        identity.put("cwd", System.getProperty("user.dir"));
        identity.put("error_file", args.value("-XX:ErrorFile="));
        identity.put("flags", String.join(",", flags));
        identity.put("heartbeat_interval_ms", Long.toString(intervalMillis));
        if (memoryDir != null) {
            identity.put("memory_cgroup_version", Integer.toString(memoryDir.version()));
            identity.put("memory_cgroup_dir", memoryDir.dir());
            identity.put("memory_cgroup_path", memoryDir.cgroupPath());
        }
    }

    /** Under lock: one sample, one positional write. */
    private void sampleAndWrite() throws java.io.IOException {
        if (box == null) {
            return;
        }
        if (state != BoxState.CLOSED) {
            sample = Cgroups.sample(host, memoryDir);
            heartbeatMillis = System.currentTimeMillis();
            heartbeats++;
        }
        box.write(fields(), false);
    }

    private Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>(identity);
        if (supervisor != null) {
            m.put("supervisor", supervisor.description());
            m.put("stop_timeout_ms", Long.toString(supervisor.stopTimeoutMillis()));
        }
        m.put(
                "heartbeat_ms",
                Long.toString(
                        heartbeatMillis)); // epoch ms only: formatting a date every heartbeat costs more than the write
        m.put("heartbeats", Long.toString(heartbeats));
        m.put("memory_usage", Long.toString(sample.usage()));
        m.put("memory_limit", Long.toString(sample.limit()));
        m.put("oom_kill", Long.toString(sample.oomKill()));
        m.put("parent_oom_kill", Long.toString(sample.parentOomKill()));
        m.put("host_oom_kill", Long.toString(sample.hostOomKill()));
        Runtime rt = Runtime.getRuntime();
        m.put("heap_used", Long.toString(rt.totalMemory() - rt.freeMemory()));
        m.put("heap_max", Long.toString(rt.maxMemory()));
        m.put("state", state.word());
        if (shutdownMillis >= 0) {
            m.put("shutdown_ms", Long.toString(shutdownMillis));
            m.put("shutdown", PreviousRuns.human(shutdownMillis));
            m.put("shutdown_cause", shutdownCause);
            m.put("hooks_running", hooksRunning());
        }
        if (closedMillis >= 0) {
            m.put("closed_ms", Long.toString(closedMillis));
            m.put("closed", PreviousRuns.human(closedMillis));
            m.put("outcome", outcome);
        }
        if (lastWords != null) {
            m.put("last_words", lastWords); // known from the start of the shutdown, so a kill during the hooks keeps it
        }
        return m;
    }

    private String hooksRunning() {
        List<String> names = new ArrayList<>(apiHooks);
        for (Thread t : hooksAtShutdown) {
            if (t.isAlive() && names.size() < MAX_HOOK_NAMES) {
                names.add(HookThreads.describe(t));
            }
        }
        return String.join("; ", names);
    }

    // ---- start-up findings for the application's log ----------------------------------------------------------

    private void deliver(Finding f) {
        synchronized (pending) {
            if (!settled) {
                if (pending.size() < MAX_PENDING) {
                    pending.add(f);
                }
                return;
            }
        }
        Reporter.report(f);
    }

    private boolean isSettled() {
        synchronized (pending) {
            return settled;
        }
    }

    /** Hands held-back findings to the reporter, once: after the settle time, or when the JVM is going. */
    private void settle() {
        List<Finding> out;
        synchronized (pending) {
            if (settled) {
                return;
            }
            settled = true;
            out = new ArrayList<>(pending);
            pending.clear();
        }
        for (Finding f : out) {
            Reporter.report(f);
        }
    }

    // ---- transitions -----------------------------------------------------------------------------------------

    /** Termination capture (or the application through the API) has said why the JVM shuts down. */
    private boolean causeKnown() {
        synchronized (lock) {
            return shutdownMillis >= 0 && causeFromApi;
        }
    }

    void markShutdown(String cause, boolean fromApi) {
        markShutdown(cause, fromApi, true);
    }

    /** @param write false when the close follows at once and writes the box itself */
    private void markShutdown(String cause, boolean fromApi, boolean write) {
        synchronized (lock) {
            if (state == BoxState.CLOSED || (shutdownMillis >= 0 && (causeFromApi || !fromApi))) {
                return;
            }
            if (shutdownMillis < 0) {
                shutdownMillis = System.currentTimeMillis();
            }
            state = BoxState.SHUTTING_DOWN;
            shutdownCause = cause == null ? "unknown" : Redaction.text(cause);
            causeFromApi = fromApi;
            if (write) {
                writeQuietly();
            }
        }
    }

    void hook(String name, boolean running) {
        synchronized (lock) {
            if (name == null || state == BoxState.CLOSED) {
                return;
            }
            if (running && apiHooks.size() < MAX_HOOK_NAMES) {
                apiHooks.add(name);
            } else if (!running) {
                apiHooks.remove(name);
            }
            writeQuietly();
        }
    }

    /** Where this death's last words are, known before the hooks run; the box stays open until {@link #close}. */
    void lastWordsKnown(String path) {
        synchronized (lock) {
            if (path == null || state == BoxState.CLOSED) {
                return;
            }
            lastWords = path;
            writeQuietly();
        }
    }

    void close(String lastWordsPath) {
        synchronized (lock) {
            if (state == BoxState.CLOSED && (lastWordsPath == null || lastWordsPath.equals(lastWords))) {
                return;
            }
            if (closedMillis < 0) {
                closedMillis = System.currentTimeMillis();
            }
            state = BoxState.CLOSED;
            lastWords = lastWordsPath != null ? lastWordsPath : lastWords;
            outcome = lastWords != null
                    ? "last words in " + lastWords
                    : "exited normally (shutdown cause: " + (shutdownCause == null ? "unknown" : shutdownCause) + ")";
            writeQuietly();
        }
    }

    private void writeQuietly() {
        try {
            if (box != null && !failed) {
                box.write(fields(), false);
            }
        } catch (Throwable t) {
            // The box is best effort at the moment of death; the journal and last words do not depend on it.
        }
    }

    /** The fallback closing hook: see the class comment. */
    void onShutdown() {
        settle();
        if (!boxOn) {
            return;
        }
        try {
            // Termination capture usually told the cause already; finding it again walks every thread's stack, a
            // safepoint that with 10,000 threads held the application's hooks back for a third of a second.
            String cause = causeKnown() ? null : HookThreads.shutdownCause();
            List<Thread> others = new ArrayList<>();
            List<Thread> hooks = HookThreads.atShutdown();
            for (Thread t : hooks.isEmpty() ? hookSnapshot : hooks) {
                if (t != Thread.currentThread() && !t.getName().startsWith("forensics")) {
                    others.add(t);
                }
            }
            hooksAtShutdown = others;
            markShutdown(cause, false, !others.isEmpty()); // nothing to wait for: the close below is the one write
            for (Thread t : others) {
                // runHooks starts the hooks one after another: ours may run before the others have started.
                long startBy = System.nanoTime() + HOOK_START_NANOS;
                while (t.getState() == Thread.State.NEW && System.nanoTime() - startBy < 0) {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        // keep waiting: the JVM joins this hook anyway
                    }
                }
                while (t.isAlive() && state != BoxState.CLOSED) {
                    try {
                        t.join(200);
                    } catch (InterruptedException e) {
                        // keep waiting: the JVM joins this hook anyway
                    }
                }
            }
            close(null);
        } catch (Throwable t) {
            // never disturb the shutdown
        }
    }

    /** "Black box" in last words and the CLI report: this run's box and what the earlier runs left. */
    private final class BoxSection implements Section {
        @Override
        public String title() {
            return "Black box";
        }

        @Override
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add(dir.resolve(BlackBox.fileName(pid)) + ": " + state.word() + ", heartbeat every "
                    + PreviousRuns.seconds(intervalMillis) + ", last at "
                    + (heartbeatMillis < 0 ? "never" : PreviousRuns.human(heartbeatMillis))
                    + (failed ? " (disabled after an error)" : ""));
            out.addAll(previous.lines());
            return out;
        }

        @Override
        public Map<String, Object> data() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", dir.resolve(BlackBox.fileName(pid)).toString());
            m.put("state", state.word());
            m.put("heartbeatIntervalMillis", intervalMillis);
            m.put("lastHeartbeatMillis", heartbeatMillis);
            m.put("previousRuns", previous.lines());
            return m;
        }
    }
}
