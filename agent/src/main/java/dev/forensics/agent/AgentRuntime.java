package dev.forensics.agent;

import dev.forensics.blackbox.BlackBox;
import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Targets;
import dev.forensics.leak.Leaks;
import dev.forensics.metrics.Meters;
import dev.forensics.pipe.Pipes;
import dev.forensics.report.Finding;
import dev.forensics.report.JavaBase;
import dev.forensics.report.Jfr;
import dev.forensics.report.Pid;
import dev.forensics.report.PrivateFiles;
import dev.forensics.report.Redaction;
import dev.forensics.report.Reporter;
import dev.forensics.report.Stderr;
import dev.forensics.report.Text;
import dev.forensics.termination.Termination;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The agent once started: its options, output directory and install report. Start-up order matters: the recorders
 * and termination capture first, then every hook, all before premain returns (a service can leak or be killed
 * during its own start-up); only the self-check and the threads that read files start on a thread of their own.
 */
public final class AgentRuntime {
    public static final String VERSION = BuildInfo.VERSION;

    private static volatile AgentRuntime current;

    private final AgentOptions options;
    private final Path dir;
    private final boolean attached;
    private volatile Instrumentation inst;
    private final long startedMillis = System.currentTimeMillis();
    private final CountDownLatch installed = new CountDownLatch(1);
    private volatile HookStatus.Report report;
    private volatile Installer installer;
    private volatile long installMillis = -1;
    private volatile long premainMicros;

    private AgentRuntime(AgentOptions options, Path dir, boolean attached) {
        this.options = options;
        this.dir = dir;
        this.attached = attached;
    }

    public static AgentRuntime current() {
        return current;
    }

    public static synchronized void start(String rawOptions, Instrumentation inst, boolean attached) throws Exception {
        if (!attached && JdkTools.isJdkTool()) {
            return; // jcmd, jps, javac … picked us up through JAVA_TOOL_OPTIONS
        }
        if (current != null) {
            if (!attached) {
                Stderr.line("forensics: already loaded in this JVM; ignoring the second -javaagent");
            } else {
                // Not on stderr: the application's log is no place for a second attach; the CLI says it to its user.
                Reporter.journal("agent", "loaded again by attach; ignored, the running agent keeps its options");
            }
            return;
        }
        long t0 = System.nanoTime();
        AgentOptions options = AgentOptions.parse(rawOptions);
        if (options.problemLine() != null) {
            Stderr.line(options.problemLine());
        }
        Redaction.setEnabled(options.redact());
        Path dir = PrivateFiles.outputDir(options.dir());
        Reporter.init(
                dir, options.journalMaxBytes(), options.log(), options.journalJson(), options.feature("otelLogs"));

        AgentRuntime runtime = new AgentRuntime(options, dir, attached);
        current = runtime;
        boolean[] on = new boolean[Feature.COUNT];
        on[Feature.AGENT] = true;
        on[Feature.TERMINATION] = options.feature("termination");
        on[Feature.PIPES] = options.feature("pipes");
        on[Feature.STDSTREAMS] = options.feature("stdstreams");
        on[Feature.LEAKS] = options.feature("leaks");
        for (int f = 0; f < Feature.COUNT; f++) {
            Feature.enable(f, on[f]);
        }
        AdviceErrors.onFirstError(new FeatureFailed());

        // OpenTelemetry's log records and meters open jdk.internal.misc at their first look (ClassInit), not here.
        JavaBase.remember(inst);
        // The recorders first, then the weaver: a hook woven before its recorder is registered would miss events.
        if (on[Feature.TERMINATION]) {
            Termination.install(options.termination(), dir, inst);
        }
        if (on[Feature.PIPES] || on[Feature.STDSTREAMS]) {
            Pipes.install(options.pipes());
        }
        if (on[Feature.LEAKS] || options.healthSampled()) {
            Leaks.install(options.leaks()); // the health sampler lives there too
        }
        if (options.feature("metrics")) {
            Meters.agent(new AgentMeters(runtime));
        }
        runtime.weave(inst, on);
        runtime.premainMicros = (System.nanoTime() - t0) / 1000;

        Thread rest = new Thread(new Rest(runtime, inst), "forensics-start");
        rest.setDaemon(true);
        rest.start();
        // Advertised before the channel starts, so a channel that fails at once can still say "unavailable" last.
        runtime.advertise(options.feature("commands") ? "on" : "off");
    }

    /** Every hook of every feature that is on, live before premain returns: nothing the application does is missed. */
    private void weave(Instrumentation inst, boolean[] on) {
        try {
            long t0 = System.nanoTime();
            installer = Installer.install(inst, Targets.enabled(on), Targets.unwatched(on));
            installMillis = (System.nanoTime() - t0) / 1_000_000;
        } catch (Throwable t) {
            Feature.disable(Feature.LEAKS);
            Feature.disable(Feature.PIPES);
            Feature.disable(Feature.STDSTREAMS);
            Stderr.line("forensics: instrumentation failed and is disabled (signals and last words still work): " + t);
            Reporter.journal("agent", "instrumentation failed: " + t);
        }
    }

    /**
     * What may wait until premain has returned, on the agent's start-up thread: the rest of termination capture, the
     * self-check and its journal lines, JFR's status event, then the black box, the doctor and the request channel
     * (threads that read files), and the warm-up a dying JVM should not have to pay for.
     */
    private void startRest(Instrumentation inst) {
        this.inst = inst;
        try {
            boolean termination = options.feature("termination");
            if (termination) {
                Termination.installLate(inst);
            }
            boolean box = options.feature("blackbox") || options.feature("doctor");
            if (stillRunning()) { // else the JVM began to exit first: nothing left worth starting
                if (box) {
                    BlackBox.install(options.blackbox(), dir, inst);
                }
                if (options.feature("commands")) {
                    CommandChannel.start(this);
                }
                if (box) {
                    BlackBox.awaitFirstPass(2000);
                }
            }
            // The self-check's journal lines come last: "hooks active" tells a reader the agent is all there.
            Installer i = installer;
            if (i != null) {
                report = i.checkAtStart(inst);
                Jfr.registerStatus(new StatusFiller(this));
                announce(report, installMillis);
            }
            if (termination) {
                Termination.warmUp();
            }
        } catch (Throwable t) {
            Reporter.journal("agent", "start-up failed after premain: " + t);
        } finally {
            installed.countDown();
        }
    }

    /** Sets {@link AgentMarker#PROPERTY}, which the CLI reads through the attach API without loading anything. */
    void advertise(String commands) {
        System.setProperty(
                AgentMarker.PROPERTY,
                new AgentMarker(VERSION, attached ? "attach" : "startup", commands, dir).format());
    }

    /** False when the JVM has begun to exit. */
    private static boolean stillRunning() {
        try {
            Thread probe = new Thread(new Rest(null, null), "forensics-probe");
            Runtime.getRuntime().addShutdownHook(probe); // throws once shutdown has begun
            Runtime.getRuntime().removeShutdownHook(probe);
            return true;
        } catch (IllegalStateException exiting) {
            return false;
        }
    }

    private void announce(HookStatus.Report r, long installMillis) {
        int active = r.in(HookStatus.State.ACTIVE, HookStatus.State.READY).size();
        int missing = r.in(HookStatus.State.MISSING, HookStatus.State.FAILED).size();
        int notApplicable = r.in(HookStatus.State.NOT_APPLICABLE).size();
        String summary = "forensics " + VERSION + " on JDK " + Text.jdkVersion() + ", pid " + Pid.current()
                + ": " + active + " hooks active, " + missing + " missing, " + notApplicable
                + " not applicable; installed in " + installMillis + " ms (premain took "
                + premainMicros / 1000 + "." + premainMicros / 100 % 10 + " ms); output in " + dir;
        Reporter.journal("agent", summary);
        for (HookStatus.Entry e : r.entries()) {
            Reporter.journal(
                    "agent", "hook " + e.hook().name() + " " + e.state().name().toLowerCase() + ": " + e.detail());
        }
        if (missing > 0) {
            Stderr.line("forensics: " + missing + " hook(s) matched nothing on this JVM and are inactive: "
                    + r.missingSummary());
        } else if (options.statusAlways()) {
            Stderr.line(summary);
        }
    }

    /** Named classes, not lambdas: the first lambda of a JVM costs premain a millisecond or two of bootstrap. */
    private static final class Rest implements Runnable {
        private final AgentRuntime runtime;
        private final Instrumentation inst;

        Rest(AgentRuntime runtime, Instrumentation inst) {
            this.runtime = runtime;
            this.inst = inst;
        }

        @Override
        public void run() {
            if (runtime != null) {
                runtime.startRest(inst);
            }
        }
    }

    private static final class StatusFiller implements java.util.function.Consumer<Jfr.StatusFields> {
        private final AgentRuntime runtime;

        StatusFiller(AgentRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public void accept(Jfr.StatusFields s) {
            runtime.fillStatus(s);
        }
    }

    private static final class FeatureFailed implements Runnable {
        @Override
        public void run() {
            featureFailed();
        }
    }

    /** Called once per feature, on the thread whose advice failed. */
    private static void featureFailed() {
        for (int f = 0; f < Feature.COUNT; f++) {
            Throwable first = AdviceErrors.first(f);
            if (first != null && AdviceErrors.count(f) == 1) {
                String line = "forensics: feature '" + Feature.name(f)
                        + "' disabled after an internal error; the application is unaffected: " + first;
                Stderr.line(line);
                Reporter.report(Finding.error("agent", "feature-failed:" + f, line));
            }
        }
    }

    private void fillStatus(Jfr.StatusFields s) {
        HookStatus.Report r = hookReport(); // at each chunk: loaders that appeared since start-up hold libraries too
        s.version = VERSION;
        s.outputDirectory = dir.toString();
        if (r != null) {
            s.hooksActive =
                    r.in(HookStatus.State.ACTIVE, HookStatus.State.READY).size();
            s.hooksMissing =
                    r.in(HookStatus.State.MISSING, HookStatus.State.FAILED).size();
            s.hooksNotApplicable = r.in(HookStatus.State.NOT_APPLICABLE).size();
            s.missing = r.missingSummary();
            s.transformationErrors = installer == null ? r.transformationErrors() : installer.transformationErrors();
        }
        s.adviceErrors = AdviceErrors.total();
        StringBuilder disabled = new StringBuilder();
        for (int f = 1; f < Feature.COUNT; f++) {
            if (AdviceErrors.first(f) != null) {
                disabled.append(disabled.length() == 0 ? "" : ",").append(Feature.name(f));
            }
        }
        s.disabledFeatures = disabled.toString();
    }

    public AgentOptions options() {
        return options;
    }

    public Path dir() {
        return dir;
    }

    public boolean attached() {
        return attached;
    }

    public long startedMillis() {
        return startedMillis;
    }

    /**
     * The self-check as of now, or null while installation runs (or when it failed): computed again at each call,
     * since classes loaded since start-up have been woven and loaders created since (Spring Boot's, a web app's) may
     * hold a library the start-up check could not see yet.
     */
    HookStatus.Report hookReport() {
        Installer i = installer;
        Instrumentation in = inst;
        if (i != null && in != null && report != null) {
            try {
                report = i.check(in);
            } catch (Throwable t) {
                // the JVM is exiting or a loader broke: the last report stands
            }
        }
        return report;
    }

    long installMillis() {
        return installMillis;
    }

    /** Waits (bounded) for the off-thread installation; for the CLI and tests that need the self-check. */
    public boolean awaitInstalled(long millis) throws InterruptedException {
        return installed.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
}
