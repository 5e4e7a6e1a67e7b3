package dev.forensics.termination;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.TerminationHooks;
import dev.forensics.environment.Host;
import dev.forensics.environment.ProcStat;
import dev.forensics.environment.ProcessFacts;
import dev.forensics.environment.Surroundings;
import dev.forensics.report.Finding;
import dev.forensics.report.Pid;
import dev.forensics.report.Redaction;
import dev.forensics.report.Reporter;
import dev.forensics.report.Sections;
import dev.forensics.report.Sites;
import dev.forensics.report.Text;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns what the woven hooks and the signal wrapper report into one story per death: the first cause seen writes
 * the last words (verdict first, forced), everything after — more signals, an exit from a signal handler, the
 * shutdown hooks' progress, a halt — is appended to them. Runs on the dying JVM's own threads; nothing here may
 * throw into them (the hooks catch) or wait on anything the JVM's shutdown holds.
 */
final class TerminationRecorder implements TerminationHooks.Listener, ShutdownWatch.Progress {
    static final int MAX_THREADS = 100;
    static final int THREAD_FRAMES = 16;
    static final int MAX_UNCAUGHT = 8;
    static final int MAX_NOTES = 16;
    static final int EXTRA_SIGNAL_LINES = 3;
    static final long PENDING_SIGNAL_MILLIS = 60_000;
    static final long STALE_RECORD_MILLIS = 10_000;
    /** How long a signal that arrives after the death began waits for the shutdown to start before it goes on. */
    static final long EXTRA_SIGNAL_WAIT_MILLIS = 5_000;
    /** What one feature's state may cost the last words: the application's shutdown hooks wait for them. */
    static final long SECTION_BUDGET_NANOS = 30_000_000L;

    private static final ThreadLocal<Cause> SIGNAL_ON_THIS_THREAD = new ThreadLocal<>();

    private final LastWords lastWords;
    private final long ownPid = Pid.current();
    private final WeakReference<Thread> mainThread;
    private final AtomicBoolean dying = new AtomicBoolean();
    private final AtomicBoolean shutdownSeen = new AtomicBoolean();
    private final AtomicInteger extraSignals = new AtomicInteger();
    private final Deque<String> uncaught = new ArrayDeque<>();
    private final AtomicInteger uncaughtCount = new AtomicInteger();
    private final List<String> notes = Collections.synchronizedList(new ArrayList<>());
    private final Map<Thread, Object> hookEvents = Collections.synchronizedMap(new IdentityHashMap<>());
    private volatile SignalCapture signals;
    private volatile ShutdownWatch watch;
    private final AtomicBoolean hooksDoneSaid = new AtomicBoolean();
    private final AtomicBoolean escalated = new AtomicBoolean();
    private volatile boolean normalEnd;
    private volatile long forcedNanos;
    private volatile long completeNanos;
    private volatile Instant forcedAt = Instant.EPOCH;
    /** Gathers the rest of the last words beside the shutdown hooks; null when it was written on the dying thread. */
    private volatile Thread restWriter;
    /** How long the JVM's halt waits for that rest (it takes tens of milliseconds even with 50,000 open bodies). */
    static final long REST_WAIT_MILLIS = 3_000;
    /** How long that rest waits for the application's hooks to start before it walks thread stacks anyway. */
    static final long HOOKS_START_WAIT_MILLIS = 250;
    /** The application's hooks as the shutdown began. */
    private volatile List<Thread> applicationHooks;

    private volatile Cause death;
    private volatile Cause pendingSignal;
    private volatile long pendingSignalNanos;
    private volatile boolean lastThreadEnded;
    private volatile String mainUncaught;
    private volatile String processLine;
    private volatile Instant processStart;
    private volatile String envRoot;
    private volatile List<String> unitPath;
    private volatile Surroundings surroundings;
    private volatile CauseResolver.Self self = CauseResolver.Self.UNKNOWN;
    private volatile Verdict verdict;
    private final AtomicBoolean sigkillDueSaid = new AtomicBoolean();
    private final java.util.concurrent.CountDownLatch shutdownStarted = new java.util.concurrent.CountDownLatch(1);
    private volatile Thread deathThread;

    TerminationRecorder(Path dir, Path terminationLog) {
        this.lastWords = new LastWords(dir, terminationLog);
        Thread current = Thread.currentThread();
        this.mainThread = new WeakReference<>("main".equals(current.getName()) ? current : null);
    }

    /** Where the start-up probes read the machine: {@code envRoot} (fixtures in tests) and {@code unitPath}. */
    void environment(String root, List<String> unitDirs) {
        this.envRoot = root;
        this.unitPath = unitDirs;
    }

    Verdict verdict() {
        return verdict;
    }

    void signals(SignalCapture s) {
        this.signals = s;
    }

    SignalCapture signals() {
        return signals;
    }

    LastWords lastWords() {
        return lastWords;
    }

    Cause death() {
        return death;
    }

    int uncaughtCount() {
        return uncaughtCount.get();
    }

    /**
     * Start-up facts read once, off the main thread, so a dying JVM does not pay for them. From {@code /proc} where
     * there is one: {@code ProcessHandle} starts a process-reaper thread pool and its lambdas, some 25 classes every
     * JVM would pay for a line that is read only at death.
     */
    void prepare() {
        if (!prepareFromProc()) {
            prepareFromProcessHandle();
        }
        try {
            long t0 = System.nanoTime();
            Surroundings s = Surroundings.read(Host.current(envRoot), unitPath);
            surroundings = s;
            Reporter.journal(
                    "termination",
                    "verdict facts read in " + Verdicts.millis(System.nanoTime() - t0) + " ms: " + s.summary());
        } catch (Throwable t) {
            surroundings = null; // the verdict then says the environment is not known
            Reporter.journal(
                    "termination",
                    "verdict facts could not be read (" + t + "); verdicts will say the environment is not known");
        }
    }

    /**
     * Runs the death path once without writing anything, so the classes it needs (formatting, the thread dump, the
     * native record) are loaded and their code has run: the first real signal is then handled in milliseconds.
     */
    void warmUp() {
        try {
            Cause c = signalCause(15, 143);
            composeHead(c, resolve(c));
            composeRest();
            Verdicts.loadUsers();
            TerminationEvents.recording();
            new LastWords(null, null).location();
        } catch (Throwable t) {
            // Warm-up only.
        }
    }

    // ---- what the woven hooks report ----

    @Override
    public void exitRequested(int status, boolean halt) {
        Cause exit = ExitRecorder.cause(status, halt);
        Cause pending = recentPendingSignal();
        Cause cause = pending == null ? exit : handledSignalThenExit(pending, exit);
        if (!beginDeath(cause)) {
            escalate();
            String line = isHookThread(Thread.currentThread())
                    ? exit.verdict()
                            + " inside a shutdown hook while the JVM is already shutting down: this call blocks forever (the JDK's rule), so this hook never finishes"
                    : "then " + exit.verdict();
            progress(line);
            Reporter.report(fields(Finding.warn("exit", "exit:" + exit.verdict(), exit.verdict()), exit)
                    .with("kind", "exit"));
            Reporter.flush();
        }
        TerminationEvents.exit(status, halt, exit.caller(), exit.thread());
        if (halt) {
            awaitRestOfLastWords(); // a halt during the shutdown: the JVM ends right after this
        }
        if (halt && !shutdownSeen.get()) {
            List<Thread> hooks = ShutdownWatch.registeredHooks();
            if (hooks != null && !hooks.isEmpty()) {
                StringBuilder names = new StringBuilder();
                for (Thread t : hooks) {
                    names.append(names.length() == 0 ? "" : ", ").append(ShutdownWatch.describe(t));
                }
                progress("halting: " + hooks.size() + " registered application shutdown hook"
                        + (hooks.size() == 1 ? "" : "s") + " will not run: " + names);
            } else {
                progress("halting now (no shutdown hooks run on halt)");
            }
        }
    }

    @Override
    public void shutdownStarting() {
        if (!shutdownSeen.compareAndSet(false, true)) {
            return;
        }
        if (!dying.get()) {
            beginDeath(fallbackCause());
        }
        correctStatusIfAnotherSignalWon();
        List<Thread> hooks = ShutdownWatch.registeredHooks();
        if (hooks != null) {
            for (Thread t : hooks) {
                hookEvents.put(t, NO_EVENT);
            }
        }
        applicationHooks = hooks;
        shutdownStarted.countDown();
        watch = ShutdownWatch.start(
                hooks,
                this,
                "shutdown started on thread \"" + Thread.currentThread().getName() + "\"; ");
    }

    /**
     * This thread runs the shutdown, so its status is the JVM's. Should a later signal's thread have got here first
     * after all (its wait ran out), the status on disk is wrong: say so, with the second line made again.
     */
    private void correctStatusIfAnotherSignalWon() {
        Cause mine = SIGNAL_ON_THIS_THREAD.get();
        Cause d = death;
        if (mine == null
                || d == null
                || mine == d
                || mine.status() == null
                || mine.status().equals(d.status())) {
            return;
        }
        Cause corrected = d.withStatus(mine.status());
        death = corrected;
        Verdict v = resolve(corrected);
        verdict = v;
        progress("exit status " + mine.status() + " after all, not " + d.status() + ": the "
                + Verdicts.signalName(mine.signo()) + " handler ran the shutdown first; so " + v.next());
    }

    @Override
    public void shutdownHooksDone() {
        awaitRestOfLastWords();
        ShutdownWatch w = watch;
        if (w != null) {
            w.finish();
        } else if (shutdownSeen.get() && dying.get() && hooksDoneSaid.compareAndSet(false, true)) {
            Cause c = death;
            progress("shutdown sequence done"
                    + (c != null && c.status() != null
                            ? "; the JVM ends now with status " + c.status()
                            : "; the JVM ends now"));
        }
    }

    @Override
    public void lastThreadEnded() {
        lastThreadEnded = true;
        beginDeath(lastThreadCause());
    }

    @Override
    public void uncaught(Throwable error) {
        Thread t = Thread.currentThread();
        String summary = summary(error);
        String line = Verdicts.clock(System.currentTimeMillis()) + " thread \"" + t.getName() + "\": " + summary;
        uncaughtCount.incrementAndGet();
        synchronized (uncaught) {
            if (uncaught.size() >= MAX_UNCAUGHT) {
                uncaught.removeFirst();
            }
            uncaught.addLast(line);
        }
        if (t == mainThread.get()) {
            mainUncaught = summary;
            Reporter.journal(
                    "termination",
                    "main ended with an uncaught " + summary
                            + "; the JVM ends when no non-daemon thread is left, with status 1");
        }
    }

    @Override
    public void signalHandlerChanging(Object signal, Object handler) {
        SignalCapture s = signals;
        if (s != null) {
            s.handlerChanging(signal);
        }
    }

    @Override
    public void signalHandlerChanged(Object signal, Object handler) {
        SignalCapture s = signals;
        if (s != null) {
            s.handlerChanged(signal, handler);
        }
    }

    /** Something worth a line in the journal and in the last words (application replaced a signal handler…). */
    void note(String text) {
        synchronized (notes) {
            if (notes.size() < MAX_NOTES) {
                notes.add(Verdicts.clock(System.currentTimeMillis()) + " " + text);
            }
        }
        Reporter.journal("termination", text);
    }

    // ---- signals, from the wrapper on the signal's own thread ----

    /**
     * @param exitsJvm the wrapped handler is the JVM's own, which exits: write the last words now
     * @param nested   an inner wrapper on the same thread (the application's handler chained to an older one)
     */
    void signalArrived(int signo, boolean exitsJvm, boolean nested) {
        Cause cause = nested ? SIGNAL_ON_THIS_THREAD.get() : null;
        if (cause == null) {
            if (dying.get()) {
                alsoSignal(signo, exitsJvm);
                return;
            }
            cause = signalCause(signo, exitsJvm ? 128 + signo : null);
            SIGNAL_ON_THIS_THREAD.set(cause);
        }
        if (exitsJvm) {
            if (cause.status() == null) {
                cause = cause.withStatus(128 + signo);
            }
            if (!beginDeath(cause)) {
                alsoSignal(signo, true); // two signals raced for the first word; this one lost
            }
        } else if (!nested) {
            pendingSignal = cause;
            pendingSignalNanos = System.nanoTime();
            Reporter.report(fields(
                    Finding.warn(
                            "termination",
                            "signal-to-app:" + signo,
                            cause.verdict() + "; delivered to the application's own handler"),
                    cause));
            Reporter.flush();
        }
    }

    /**
     * A signal after the death began. Its JVM handler would call {@code Shutdown.exit(128 + signo)} at once and race
     * the thread whose cause is on disk for the shutdown lock: the winner's status is the JVM's, so a SIGHUP thread
     * winning after SIGTERM's last words said 143 would end the JVM with 129. Held back here until the shutdown has
     * started (bounded), the later signal's exit then waits on the lock forever, as the JDK intends for any exit during
     * the shutdown, and the status on disk stays the one the JVM reports.
     */
    private void alsoSignal(int signo, boolean exitsJvm) {
        escalate();
        int n = extraSignals.incrementAndGet();
        // Every exiting signal's thread knows its own status, listed or not: the one that wins the shutdown lock after
        // the lines stopped must still be able to correct the status on disk.
        Cause also = exitsJvm || n <= EXTRA_SIGNAL_LINES ? signalCause(signo, exitsJvm ? 128 + signo : null) : null;
        if (also != null) {
            SIGNAL_ON_THIS_THREAD.set(also);
        }
        if (n <= EXTRA_SIGNAL_LINES) {
            progress("also: " + also.verdict());
        } else if (n == EXTRA_SIGNAL_LINES + 1) {
            progress("further signals are counted, not listed (totals at the end)");
        }
        if (exitsJvm && Thread.currentThread() != deathThread) {
            try {
                shutdownStarted.await(EXTRA_SIGNAL_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Cause d = death;
            if (shutdownSeen.get() && !lastThreadEnded && d != null && d.status() != null) {
                holdUntilTheJvmEnds();
            }
        }
    }

    /**
     * The shutdown runs and ends in {@code halt(status)} with the status on disk. The JVM's handler would call
     * {@code Shutdown.exit(128 + signo)}, which waits on the shutdown lock for good while the hooks run, but halts at
     * once with its own status once they are done: a signal landing between the last hook and the winner's halt (where
     * the last words are forced to disk) would end the JVM with a status the last words do not give, or cut them off.
     * So this thread waits for good here instead, as the JDK's exit would have during the hooks.
     */
    private static void holdUntilTheJvmEnds() {
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // the JDK's own wait on the shutdown lock is not interruptible either
            }
        }
    }

    private Cause signalCause(int signo, Integer status) {
        long now = System.currentTimeMillis();
        SignalRecord r = NativeSignals.record(signo, NativeSignals.LATEST);
        if (r != null && Math.abs(now - r.realNanos() / 1_000_000) > STALE_RECORD_MILLIS) {
            r = null; // an old delivery: the shim did not see this one
        }
        List<String> details = new ArrayList<>();
        String verdict;
        if (r == null) {
            String reason = NativeSignals.available()
                    ? "the native handler did not see this delivery; " + captureState(signo)
                    : NativeSignals.unavailableReason();
            verdict = Verdicts.signalUnknown(signo, reason, now);
            details.add("signal: " + Verdicts.signalName(signo) + " (" + signo + "); sender unknown: " + reason);
        } else {
            verdict = CauseResolver.signalLine(r, env(), selfFor(r), userState(r));
            details.addAll(Verdicts.signalDetails(r, ownPid));
        }
        details.add("handled on thread \"" + Thread.currentThread().getName() + "\"");
        return Cause.signal(
                verdict, details, status, now, signo, r, Thread.currentThread().getName());
    }

    private Surroundings env() {
        Surroundings s = surroundings;
        return s == null ? Surroundings.UNKNOWN : s;
    }

    private boolean prepareFromProc() {
        try {
            Host real = Host.current(null);
            ProcStat me = ProcStat.of(real, "self");
            List<String> argv = real.nulSeparated("/proc/self/cmdline");
            if (me == null || argv.isEmpty()) {
                return false;
            }
            String exe = executable("self");
            String[] args = argv.subList(1, argv.size()).toArray(new String[0]);
            String cmd =
                    (exe.isEmpty() ? argv.get(0) : exe) + (args.length > 0 ? " " + Redaction.commandLine(args) : "");
            processLine = "pid " + ownPid + ", " + Verdicts.bounded(cmd, Verdicts.RECORD_COMMAND_MAX);
            long started = ProcessFacts.startMillis(real, me.startTicks());
            processStart = started < 0 ? null : Instant.ofEpochMilli(started);
            self = new CauseResolver.Self(
                    ownPid,
                    me.ppid() > 0 ? me.ppid() : -1L,
                    Verdicts.bounded(Redaction.text(commandLine(real, me.ppid())), Verdicts.VERDICT_COMMAND_MAX),
                    -1);
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /** As {@code ProcessHandle.Info.commandLine()}: the executable, then the arguments; empty when not ours to read. */
    private static String commandLine(Host real, long pid) {
        if (pid <= 0) {
            return "";
        }
        String exe = executable(Long.toString(pid));
        if (exe.isEmpty()) {
            return "";
        }
        List<String> argv = real.nulSeparated("/proc/" + pid + "/cmdline");
        StringBuilder sb = new StringBuilder(exe);
        for (int i = 1; i < argv.size(); i++) {
            sb.append(' ').append(argv.get(i));
        }
        return sb.toString();
    }

    private static String executable(String pid) {
        try {
            java.io.File exe = new java.io.File("/proc/" + pid + "/exe");
            String path = exe.getCanonicalPath();
            return path.equals(exe.getPath()) ? "" : path; // unresolved: another user's process
        } catch (Throwable t) {
            return "";
        }
    }

    private void prepareFromProcessHandle() {
        try {
            ProcessHandle.Info info = ProcessHandle.current().info();
            Optional<String[]> args = info.arguments();
            String cmd = info.command().orElse("?") + (args.isPresent() ? " " + Redaction.commandLine(args.get()) : "");
            processLine = "pid " + ownPid + ", " + Verdicts.bounded(cmd, Verdicts.RECORD_COMMAND_MAX);
            processStart = info.startInstant().orElse(null);
        } catch (Throwable t) {
            processLine = "pid " + ownPid;
        }
        try {
            // Without lambdas: this runs at start-up, where the first lambda costs the JVM a hundred classes.
            Optional<ProcessHandle> parent = ProcessHandle.current().parent();
            String parentCmd =
                    parent.isPresent() ? parent.get().info().commandLine().orElse("") : "";
            self = new CauseResolver.Self(
                    ownPid,
                    parent.isPresent() ? parent.get().pid() : -1L,
                    Verdicts.bounded(Redaction.text(parentCmd), Verdicts.VERDICT_COMMAND_MAX),
                    -1);
        } catch (Throwable t) {
            self = new CauseResolver.Self(ownPid, -1, "", -1);
        }
    }

    /** This JVM's facts; the parent now is read only when the sender was the parent at start-up (did it exit?). */
    private CauseResolver.Self selfFor(SignalRecord r) {
        CauseResolver.Self s = self;
        if (s.pid() < 0) {
            s = new CauseResolver.Self(ownPid, -1, "", -1);
        }
        if (r != null && r.pid() == s.parentPid() && s.parentPid() > 0) {
            ProcStat me = ProcStat.of(Host.current(null), "self");
            long now;
            if (me != null) {
                now = me.ppid() > 0 ? me.ppid() : -1L;
            } else {
                Optional<ProcessHandle> parent = ProcessHandle.current().parent();
                now = parent.isPresent() ? parent.get().pid() : -1L;
            }
            return new CauseResolver.Self(s.pid(), s.parentPid(), s.parentCommand(), now);
        }
        return s;
    }

    /** logind's state of the user manager's user, read at death: the one fact that changes at logout. */
    private String userState(SignalRecord r) {
        Surroundings s = surroundings;
        if (s == null || s.userManagerUid() == null || r == null || !"systemd".equals(r.comm())) {
            return null;
        }
        return s.userStateNow();
    }

    private Verdict resolve(Cause c) {
        try {
            return CauseResolver.resolve(
                    c, env(), selfFor(c.signal()), userState(c.signal()), System.currentTimeMillis());
        } catch (Throwable t) {
            return new Verdict(
                    c.verdict(), "next: not known (the verdict could not be resolved: " + t + ")", List.of(), -1, null);
        }
    }

    private String captureState(int signo) {
        SignalCapture s = signals;
        for (int i = 0; s != null && i < SignalCapture.NUMBERS.length; i++) {
            if (SignalCapture.NUMBERS[i] == signo) {
                return s.state(i);
            }
        }
        return "not captured";
    }

    private Cause recentPendingSignal() {
        Cause p = pendingSignal;
        if (p == null || System.nanoTime() - pendingSignalNanos > PENDING_SIGNAL_MILLIS * 1_000_000) {
            return null;
        }
        return p;
    }

    private static Cause handledSignalThenExit(Cause signal, Cause exit) {
        String verdict = signal.verdict() + ", handled by the application, which then called "
                + exit.verdict().replaceFirst(" called by ", " from ");
        List<String> details = new ArrayList<>(signal.details());
        details.addAll(exit.details());
        return new Cause(
                exit.kind(),
                verdict,
                details,
                exit.status(),
                exit.epochMillis(),
                signal.signo(),
                signal.signal(),
                exit.caller(),
                exit.thread());
    }

    private Cause lastThreadCause() {
        String main = mainUncaught;
        int status = main == null ? 0 : 1;
        String verdict = main == null
                ? "main returned and no non-daemon thread was left, so the JVM ends normally (status 0)"
                : "main ended with an uncaught " + main
                        + " and no non-daemon thread was left, so the JVM ends with status 1";
        List<String> details = new ArrayList<>();
        details.add("DestroyJavaVM found no live non-daemon thread: the JVM's normal end once main has returned");
        if (main != null) {
            details.add("main thread's uncaught exception: " + main);
        }
        return Cause.ended(
                Cause.Kind.LAST_THREAD,
                verdict,
                details,
                status,
                System.currentTimeMillis(),
                Thread.currentThread().getName());
    }

    /** Shutdown began and no hook saw why: work it out from what is left. */
    private Cause fallbackCause() {
        if (lastThreadEnded) {
            return lastThreadCause();
        }
        Cause pending = recentPendingSignal();
        if (pending != null) {
            return pending;
        }
        Thread t = Thread.currentThread();
        String name = t.getName();
        if (name.startsWith("SIG") && name.endsWith(" handler")) {
            for (int i = 0; i < SignalCapture.NAMES.length; i++) {
                if (name.equals("SIG" + SignalCapture.NAMES[i] + " handler")) {
                    return signalCause(SignalCapture.NUMBERS[i], 128 + SignalCapture.NUMBERS[i]);
                }
            }
        }
        StackTraceElement[] stack = t.getStackTrace();
        for (StackTraceElement e : stack) {
            if (e.getClassName().equals("java.lang.Shutdown")
                    && e.getMethodName().equals("exit")) {
                StackTraceElement caller = ExitRecorder.callerOf(stack);
                String verdict = "the JVM is exiting: Shutdown.exit called "
                        + (caller == null ? "" : "from " + Sites.frame(caller) + " ") + "on thread \"" + name + "\"";
                return Cause.call(
                        Cause.Kind.EXIT,
                        verdict,
                        List.of("seen from the shutdown sequence, not from the exit call itself"),
                        null,
                        System.currentTimeMillis(),
                        caller == null ? null : Sites.frame(caller),
                        name);
            }
        }
        return Cause.ended(
                Cause.Kind.UNKNOWN,
                "the JVM began its shutdown on thread \"" + name + "\" for a reason forensics did not see",
                List.of(),
                null,
                System.currentTimeMillis(),
                name);
    }

    // ---- the last words ----

    /** The cause's facts as fields: what ended the JVM, with which signal or status, called from where. */
    static Finding fields(Finding f, Cause c) {
        SignalRecord r = c.signal();
        return f.with("cause", c.kind().label)
                .with("signal", c.signo() > 0 ? Verdicts.signalName(c.signo()) : null)
                .with("exitStatus", c.status())
                .with("caller", c.caller())
                .with("thread", c.thread())
                .with("senderPid", r != null && r.pid() > 0 ? Integer.valueOf(r.pid()) : null);
    }

    /**
     * The first cause writes the last words; later ones return false (and are appended by their caller). A normal
     * end (main returned, or main called {@code System.exit(0)}) writes one journal line and no file, which a JVM
     * that starts and stops many times a day would otherwise pay for in fsyncs; it still gets the file if its
     * shutdown then goes wrong (a hook hangs, a signal or a halt arrives): see {@link #escalate()}.
     */
    boolean beginDeath(Cause cause) {
        if (!dying.compareAndSet(false, true)) {
            return false;
        }
        death = cause;
        deathThread = Thread.currentThread();
        Verdict v = resolve(cause);
        verdict = v;
        boolean onMain = Thread.currentThread() == mainThread.get();
        boolean normal = cause.normalEnd()
                || (cause.kind() == Cause.Kind.EXIT && onMain && cause.status() != null && cause.status() == 0);
        if (normal) {
            normalEnd = true;
            Reporter.journal("termination", v.oneLine());
            Termination.tellShutdownStarted(cause.verdict(), cause.kind().label);
            events(cause, "journal");
            return true;
        }
        String where = writeLastWords(cause, v, cause.kind() != Cause.Kind.HALT);
        // main itself calling System.exit is how command-line programs end: journaled, not logged. Signals, halts and
        // exits from other threads (libraries) also reach the application's log.
        if (cause.kind() == Cause.Kind.EXIT && onMain) {
            Reporter.journal(cause.kind().label, v.oneLine() + " (last words: " + where + ")");
        } else {
            Reporter.report(fields(
                            Finding.warn(
                                    cause.kind() == Cause.Kind.SIGNAL ? "termination" : "exit",
                                    "death:" + cause.kind().label,
                                    v.oneLine() + " (last words: " + where + ")"),
                            cause)
                    .with("lastWords", where));
        }
        Reporter.flush();
        Termination.tellShutdownStarted(cause.verdict(), cause.kind().label);
        Termination.tellLastWordsWritten(lastWords.file());
        events(cause, where);
        return true;
    }

    /**
     * The head (verdict and cause) is forced on the dying thread. The rest (threads, open bodies, feature state: tens
     * of milliseconds with tens of thousands of bodies and threads) is gathered on a thread of its own when shutdown
     * hooks follow, so the application's hooks start at once; {@link #shutdownHooksDone} waits for it before the JVM
     * halts. A halt runs no hooks: then it is written here, before this thread goes on to halt.
     */
    private String writeLastWords(Cause cause, Verdict v, boolean hooksFollow) {
        lastWords.begin(composeHead(cause, v), v.cause() + "\n" + v.next());
        forcedNanos = System.nanoTime();
        forcedAt = Instant.now();
        Thread rest = null;
        if (hooksFollow) {
            try {
                rest = new Thread(
                        new RestOfLastWords(this, cause),
                        "forensics-last-words"); // no lambda: linking one costs ms here
                rest.setDaemon(true);
                rest.start();
                restWriter = rest;
            } catch (Throwable t) { // no thread to be had (native threads exhausted): write it here
                rest = null;
            }
        }
        if (rest == null) {
            completeLastWords(cause, false);
        }
        Path file = lastWords.file();
        return file != null ? file.toString() : "stderr";
    }

    private void completeLastWords(Cause cause, boolean besideHooks) {
        try {
            if (besideHooks) {
                letTheApplicationsHooksStart();
            }
            lastWords.complete(composeRest());
            completeNanos = System.nanoTime();
            if (cause.signal()
                    != null) { // measured for benchmarks/lastwords.sh: signal handler entry to last words forced
                Instant at = forcedAt;
                long nanos = at.getEpochSecond() * 1_000_000_000L
                        + at.getNano()
                        - cause.signal().realNanos();
                Reporter.journal(
                        "termination",
                        "last words forced " + Verdicts.millis(nanos) + " ms after "
                                + Verdicts.signalName(cause.signo())
                                + " arrived (verdict and cause; threads and feature state forced "
                                + Verdicts.millis(completeNanos - forcedNanos)
                                + " ms later, beside the shutdown hooks)");
            }
        } catch (Throwable t) {
            AdviceErrors.record(t, Feature.TERMINATION);
        }
    }

    private static final class RestOfLastWords implements Runnable {
        private final TerminationRecorder recorder;
        private final Cause cause;

        RestOfLastWords(TerminationRecorder recorder, Cause cause) {
            this.recorder = recorder;
            this.cause = cause;
        }

        @Override
        public void run() {
            recorder.completeLastWords(cause, true);
        }
    }

    /**
     * Gathering the rest walks thread stacks, each walk a safepoint that pauses every thread: so it waits (at most
     * {@link #HOOKS_START_WAIT_MILLIS}) until the shutdown has begun and every application hook thread is running.
     */
    private void letTheApplicationsHooksStart() {
        long deadline = System.nanoTime() + HOOKS_START_WAIT_MILLIS * 1_000_000L;
        try {
            shutdownStarted.await(HOOKS_START_WAIT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            List<Thread> hooks = applicationHooks;
            if (hooks == null) {
                return;
            }
            for (Thread t : hooks) {
                while (t.getState() == Thread.State.NEW && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
            }
        } catch (InterruptedException e) {
            // write the rest now
        }
    }

    /** Before the JVM halts: the rest of the last words is on disk (bounded wait). */
    private void awaitRestOfLastWords() {
        Thread t = restWriter;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(REST_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A normal end whose shutdown went wrong after all: now it deserves the file. */
    private void escalate() {
        Cause c = death;
        if (normalEnd && c != null && escalated.compareAndSet(false, true)) {
            Verdict v = verdict;
            String where = writeLastWords(c, v != null ? v : resolve(c), false);
            Reporter.journal(
                    "termination", "the shutdown after a normal end is not going smoothly; last words: " + where);
            Reporter.flush();
            Termination.tellLastWordsWritten(lastWords.file());
        }
    }

    private static void events(Cause cause, String where) {
        try {
            TerminationEvents.death(cause, where);
        } catch (Throwable t) {
            // JFR is a second copy of what is already on disk.
        }
    }

    /** The two verdict lines, then the record: time, process, exit status, the cause's facts and the verdict's evidence. */
    private List<String> composeHead(Cause cause, Verdict v) {
        List<String> out = new ArrayList<>(256);
        Instant now = Instant.now();
        out.add(v.cause());
        out.add(v.next());
        out.add("");
        out.add("time: " + Verdicts.full(now));
        Instant start = processStart;
        if (start != null) {
            out.add("uptime: " + Verdicts.duration(Math.max(0, now.toEpochMilli() - start.toEpochMilli()))
                    + " (started " + Verdicts.full(start) + ")");
        }
        out.add("process: " + (processLine != null ? processLine : "pid " + ownPid) + "; Java " + Text.jdkVersion());
        out.add("exit status: " + status(cause));
        out.add("cause (" + cause.kind().label + "):");
        for (String d : cause.details()) {
            out.add("  " + d);
        }
        if (!v.evidence().isEmpty()) {
            out.add("verdict evidence (read at start-up unless said otherwise):");
            for (String e : v.evidence()) {
                out.add("  " + e);
            }
        }
        return out;
    }

    private List<String> composeRest() {
        List<String> out = new ArrayList<>(256);
        synchronized (notes) {
            if (!notes.isEmpty()) {
                out.add("earlier:");
                for (String n : notes) {
                    out.add("  " + n);
                }
            }
        }
        synchronized (uncaught) {
            if (!uncaught.isEmpty()) {
                out.add("uncaught exceptions (" + uncaughtCount.get() + ", latest " + uncaught.size() + "):");
                for (String u : uncaught) {
                    out.add("  " + u);
                }
            }
        }
        try {
            out.addAll(ShutdownWatch.threads(MAX_THREADS, THREAD_FRAMES));
        } catch (Throwable t) {
            out.add("threads: unavailable (" + t + ")");
        }
        out.addAll(Sections.render(SECTION_BUDGET_NANOS));
        out.add("shutdown:");
        return out;
    }

    private static String status(Cause c) {
        if (c.status() == null) {
            return "not known yet";
        }
        switch (c.kind()) {
            case SIGNAL:
                return c.status() + " (128 + " + Verdicts.signalName(c.signo()) + " " + c.signo()
                        + ", as the JVM's own handler exits)";
            case EXIT:
                return c.status() + " (System.exit)";
            case HALT:
                return c.status() + " (Runtime.halt)";
            case LAST_THREAD:
                return c.status()
                        + (c.status() == 1 ? " (the java launcher's status when main throws)" : " (main returned)");
            default:
                return c.status().toString();
        }
    }

    private void progress(String text) {
        lastWords.append("  " + Verdicts.clock(System.currentTimeMillis()) + " " + text);
    }

    // ---- shutdown hook progress, from the watch thread ----

    private static final Object NO_EVENT = new Object();

    @Override
    public void line(String text) {
        progress(text);
        sayWhenSigkillIsDue();
    }

    @Override
    public void stillRunning(String text) {
        escalate();
        line(text);
    }

    /**
     * Once, within one and a half report intervals of the supervisor's deadline (the next report may come too late):
     * the SIGKILL that follows leaves nothing more on disk, so the last line before it says the hooks still running
     * will not finish.
     */
    private void sayWhenSigkillIsDue() {
        Verdict v = verdict;
        if (v == null || v.sigkillAtMillis() < 0) {
            return;
        }
        long now = System.currentTimeMillis();
        if (now >= v.sigkillAtMillis() - ShutdownWatch.REPORT_EVERY_MILLIS * 3 / 2
                && sigkillDueSaid.compareAndSet(false, true)) {
            progress("the stop timeout runs out at " + Verdicts.clock(v.sigkillAtMillis()) + " (" + v.stopTimeout()
                    + "): SIGKILL follows, and the hooks still running will not finish");
        }
    }

    @Override
    public void hookStarted(String name, Thread hook) {
        progress("hook " + name + " started");
        Object event = TerminationEvents.hookStarted();
        hookEvents.put(hook, event == null ? NO_EVENT : event);
        Termination.tellHookStarted(name);
    }

    @Override
    public void hookFinished(String name, Thread hook, long startNanos, long endNanos) {
        long millis = Math.max(0, (endNanos - startNanos) / 1_000_000);
        progress("hook " + name + " finished after " + Verdicts.duration(millis));
        TerminationEvents.hookFinished(hookEvents.get(hook), name);
        Termination.tellHookFinished(name, millis);
    }

    @Override
    public void allFinished(int count, long millis) {
        Cause c = death;
        StringBuilder sb = new StringBuilder("all ")
                .append(count)
                .append(" application shutdown hook")
                .append(count == 1 ? "" : "s")
                .append(" finished ")
                .append(Verdicts.duration(millis))
                .append(" after the shutdown started");
        if (c != null && c.kind() == Cause.Kind.SIGNAL && c.signal() != null) {
            long total = NativeSignals.count(c.signo());
            if (total > 1) {
                sb.append("; ")
                        .append(Verdicts.signalName(c.signo()))
                        .append(" was delivered ")
                        .append(total)
                        .append(" times in all");
            }
        }
        sb.append(
                c != null && c.status() != null
                        ? "; the JVM ends now with status " + c.status()
                        : "; the JVM ends now");
        progress(sb.toString());
    }

    private boolean isHookThread(Thread t) {
        return hookEvents.containsKey(t);
    }

    private static String summary(Throwable e) {
        String msg = e.getMessage();
        StringBuilder sb = new StringBuilder(e.getClass().getName());
        if (msg != null) {
            sb.append(": ").append(Verdicts.bounded(Redaction.text(msg.replace('\n', ' ')), 300));
        }
        StackTraceElement[] st = e.getStackTrace();
        if (st.length > 0) {
            sb.append(" (at ").append(Sites.frame(st[0])).append(')');
        }
        return sb.toString();
    }
}
