package dev.forensics.termination;

import dev.forensics.bootstrap.Feature;
import dev.forensics.bootstrap.TerminationHooks;
import dev.forensics.report.JavaBase;
import dev.forensics.report.Reporter;
import dev.forensics.report.Sections;
import dev.forensics.report.Stderr;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Termination capture: who asked the JVM to go (signal sender, exit or halt caller, the last thread ending), how
 * the shutdown went, and the last words on disk before it went. Installed synchronously in premain, without Byte
 * Buddy, because a service can be killed during its own start-up; the cost is measured and journaled.
 *
 * <p>Other features follow a death through {@link #addListener(TerminationListener)}.
 */
public final class Termination {

    private static final List<TerminationListener> LISTENERS = new CopyOnWriteArrayList<>();
    private static volatile TerminationRecorder recorder;
    private static volatile long installNanos;
    private static volatile boolean javaLangTried;

    private Termination() {}

    /** Never throws: a failure here costs termination capture, said in one stderr line, not the rest of the agent. */
    public static void install(TerminationSettings settings, Path dir, Instrumentation inst) {
        try {
            installEarly(settings, dir, inst);
        } catch (Throwable t) {
            Feature.disable(Feature.TERMINATION);
            Stderr.line(
                    "forensics: termination capture disabled after an internal error; the application is unaffected: "
                            + t);
        }
    }

    private static void installEarly(TerminationSettings settings, Path dir, Instrumentation inst) {
        long t0 = System.nanoTime();
        if (NativeSignals.LOADS_THROUGH_JAVA_LANG) {
            openJavaLang(inst); // loading the shim without a restricted-method warning needs java.lang (NativeSignals)
        }
        TerminationRecorder r = new TerminationRecorder(dir, settings.terminationLog());
        r.environment(settings.sources().envRoot(), settings.sources().unitPath());
        SignalCapture signals = new SignalCapture(r);
        signals.install();
        r.signals(signals);
        recorder = r;
        TerminationHooks.register(
                new PrivilegedListener(r)); // after our own Signal.handle calls: the woven hook must not see them
        Sections.register(new TerminationSection(r));
        installNanos = System.nanoTime() - t0;
    }

    /**
     * Called first thing on the agent's start-up thread, right after premain (the exit path is woven by then):
     * repairs any signal handler the application replaced meanwhile, prepares the shutdown-hook watch, and journals
     * what is captured.
     */
    public static void installLate(Instrumentation inst) {
        TerminationRecorder r = recorder;
        if (r == null) {
            return;
        }
        try {
            installLate(inst, r);
        } catch (Throwable t) {
            // Never at the cost of the rest of the agent: the premain part keeps working.
            Reporter.journal("termination", "completing termination capture failed: " + t);
        }
    }

    private static void installLate(Instrumentation inst, TerminationRecorder r) {
        long t0 = System.nanoTime();
        openJavaLang(inst);
        SignalCapture s = r.signals();
        s.recheck();
        ShutdownWatch.prepare();
        long lateNanos = System.nanoTime() - t0;
        StringBuilder sb = new StringBuilder("termination capture installed in ")
                .append(Verdicts.millis(installNanos))
                .append(" ms during premain (+")
                .append(Verdicts.millis(lateNanos))
                .append(" ms right after, off the main thread)");
        for (int i = 0; i < SignalCapture.NAMES.length; i++) {
            sb.append("; ").append(s.state(i));
        }
        Reporter.journal("termination", sb.toString());
        if (s.hupIgnoredAtStart()) {
            r.note(
                    "SIGHUP is ignored since start-up (nohup or an ignoring parent): a terminal hangup will not stop this JVM, "
                            + "but the end of its login session can still stop it with SIGTERM (systemd stops the session scope)");
        }
    }

    /**
     * Called on the installer thread once the agent is fully installed: pays, off the main thread, for the class
     * loading and lookups a dying JVM should not have to do (the first signal then reaches disk in milliseconds).
     * Not earlier: a JVM that lives less than a second never needs it.
     */
    public static void warmUp() {
        TerminationRecorder r = recorder;
        if (r != null) {
            r.prepare();
            r.warmUp();
        }
    }

    /** The termination listener registry: see {@link TerminationListener} for when each call is made. */
    public static void addListener(TerminationListener l) {
        LISTENERS.add(l);
    }

    /** The last-words file of this JVM's death, or null while it lives (or when they went to stderr). */
    public static Path lastWordsFile() {
        TerminationRecorder r = recorder;
        return r == null ? null : r.lastWords().file();
    }

    static void tellShutdownStarted(String verdict, String kind) {
        for (TerminationListener l : LISTENERS) {
            try {
                l.shutdownStarted(verdict, kind);
            } catch (Throwable ignored) {
                // A listener must not cost the last words.
            }
        }
    }

    static void tellLastWordsWritten(Path file) {
        for (TerminationListener l : LISTENERS) {
            try {
                l.lastWordsWritten(file);
            } catch (Throwable ignored) {
                // as above
            }
        }
    }

    static void tellHookStarted(String name) {
        for (TerminationListener l : LISTENERS) {
            try {
                l.hookStarted(name);
            } catch (Throwable ignored) {
                // as above
            }
        }
    }

    static void tellHookFinished(String name, long millis) {
        for (TerminationListener l : LISTENERS) {
            try {
                l.hookFinished(name, millis);
            } catch (Throwable ignored) {
                // as above
            }
        }
    }

    /**
     * Opens java.lang to the agent: the shutdown watch reads {@code ApplicationShutdownHooks.hooks}, and the native
     * shim is loaded through {@code ClassLoader.loadLibrary}; and jdk.internal.misc, to ask {@code Unsafe} whether
     * a JDK class is initialized before reading it (reading would initialize it). (Code woven into java.base may call
     * the agent without a read edge: retransforming a java.base class gives it one to the boot loader's unnamed module.)
     */
    private static void openJavaLang(Instrumentation inst) {
        if (javaLangTried) {
            return; // opened, or refused and said so once
        }
        javaLangTried = true;
        try {
            JavaBase.open(inst, "java.lang", "jdk.internal.misc");
        } catch (Throwable t) {
            Reporter.journal(
                    "termination",
                    "java.lang could not be opened to the agent (" + t
                            + "); hook progress and silent native loading may be unavailable");
        }
    }
}
