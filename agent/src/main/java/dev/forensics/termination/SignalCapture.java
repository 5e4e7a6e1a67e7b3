package dev.forensics.termination;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.bootstrap.Feature;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM, SIGINT and SIGHUP, caught twice over. A Java handler wraps the JVM's own ({@code Terminator}'s), so on
 * the signal's thread, before the JVM's shutdown starts, the recorder writes the last words; and the native shim
 * sits in front of the JVM's C handler to learn the sender. The order matters: {@code Signal.handle} re-installs the
 * JVM's C handler, so the shim goes in after the Java wrapping, and again after every later {@code Signal.handle}
 * (the woven hook calls {@link #handlerChanging}/{@link #handlerChanged}). A signal that is ignored (nohup) stays
 * ignored: nothing is installed over it.
 */
final class SignalCapture {
    static final String[] NAMES = {"TERM", "INT", "HUP"};
    static final int[] NUMBERS = {15, 2, 1};

    private static final ThreadLocal<Boolean> HANDLING = new ThreadLocal<>();

    private final TerminationRecorder recorder;
    private final String[] javaState = new String[NAMES.length];
    private final String[] nativeState = new String[NAMES.length];
    private volatile boolean ignoredHupAtStart;

    SignalCapture(TerminationRecorder recorder) {
        this.recorder = recorder;
    }

    /** Wraps the JVM's handlers, then installs the shim in front of the JVM's C handlers. Never throws. */
    void install() {
        boolean nativeLoaded = NativeSignals.load();
        for (int i = 0; i < NAMES.length; i++) {
            boolean handled = wrapAtStartUp(i);
            if (!nativeLoaded) {
                nativeState[i] = "sender unknown: " + NativeSignals.unavailableReason();
            } else if (handled) {
                installNative(i);
            } else {
                nativeState[i] = "no handler installed over it";
            }
        }
    }

    /** True when the JVM handles the signal (and we now wrap its handler). */
    private boolean wrapAtStartUp(int i) {
        try {
            Signal sig = new Signal(NAMES[i]);
            Wrapper w = new Wrapper(i, true);
            SignalHandler old = Signal.handle(sig, w);
            if (old == SignalHandler.SIG_IGN) {
                Signal.handle(
                        sig, SignalHandler.SIG_IGN); // give the table back its "ignored"; the JVM installed nothing
                javaState[i] = "ignored since start-up" + (NUMBERS[i] == 1 ? " (nohup)" : "");
                if (NUMBERS[i] == 1) {
                    ignoredHupAtStart = true;
                }
                return false;
            }
            if (old == SignalHandler.SIG_DFL) {
                Signal.handle(sig, SignalHandler.SIG_DFL);
                javaState[i] = "not handled by the JVM (default action)";
                return false;
            }
            w.exitsJvm = isJvmHandler(old);
            w.delegate = old;
            javaState[i] = "wrapped";
            return true;
        } catch (Throwable t) {
            // -Xrs (the JVM leaves these signals alone) or no jdk.unsupported module.
            javaState[i] = "not wrapped: " + t.getMessage();
            return false;
        }
    }

    private void installNative(int i) {
        int state = NativeSignals.install(NUMBERS[i]);
        switch (state) {
            case NativeSignals.INSTALLED:
            case NativeSignals.ALREADY:
                nativeState[i] = "sender capture on";
                break;
            case NativeSignals.IGNORED:
                nativeState[i] = "ignored: not installed";
                break;
            default:
                nativeState[i] = "sender capture failed (sigaction)";
        }
    }

    /** Before the JVM's {@code Signal.handle}: step aside, so it sees (and returns) its own handler, not ours. */
    void handlerChanging(Object signal) {
        int i = indexOf(signal);
        if (i >= 0 && NativeSignals.disposition(NUMBERS[i]) == NativeSignals.DISPOSITION_OURS) {
            NativeSignals.uninstall(NUMBERS[i]);
        }
    }

    /**
     * After it: wrap the application's new Java handler (so the signal is still recorded on its thread) and put the
     * shim back in front of the JVM's C handler, which {@code Signal.handle} just re-installed.
     */
    void handlerChanged(Object signal, Object handler) {
        int i = indexOf(signal);
        if (i < 0) {
            return;
        }
        if (handler != null
                && !handler.getClass().getName().equals("jdk.internal.misc.Signal$NativeHandler")
                && !isOurs(handler)) {
            Wrapper w = new Wrapper(i, false);
            SignalHandler appHandler = Signal.handle(new Signal(NAMES[i]), w);
            w.exitsJvm = isJvmHandler(appHandler);
            w.delegate = appHandler;
            javaState[i] = "wrapped (the application's handler " + describe(appHandler) + ")";
            recorder.note("the application installed its own SIG" + NAMES[i] + " handler " + describe(appHandler)
                    + "; forensics wraps it and still records the sender");
        }
        if (NativeSignals.available()) {
            if (NativeSignals.disposition(NUMBERS[i]) == NativeSignals.DISPOSITION_IGNORED) {
                nativeState[i] = "ignored by the application: not installed";
            } else {
                installNative(i);
            }
        }
    }

    /**
     * After {@code Signal.handle} is woven (just after premain): an application that replaced a handler before then
     * went unseen, so look at the JVM's table and the native dispositions, and wrap or re-install where needed.
     */
    void recheck() {
        Map<String, Object> current = javaHandlers();
        for (int i = 0; i < NAMES.length; i++) {
            if (!"wrapped".equals(javaState[i])
                    || !NativeSignals.available()
                    || NativeSignals.disposition(NUMBERS[i]) == NativeSignals.DISPOSITION_OURS) {
                continue; // not ours to watch, or nothing changed
            }
            Object handler = current.get("SIG" + NAMES[i]);
            handlerChanged("SIG" + NAMES[i], handler);
        }
    }

    /** jdk.internal.misc.Signal's private table, by signal name; empty when it cannot be read. */
    private static Map<String, Object> javaHandlers() {
        Map<String, Object> out = new HashMap<>();
        try {
            Field f = Class.forName("jdk.internal.misc.Signal", false, null).getDeclaredField("handlers");
            f.setAccessible(true); // jdk.internal.misc is opened to the agent
            Map<?, ?> table = (Map<?, ?>) f.get(null);
            synchronized (table) {
                for (Map.Entry<?, ?> e : table.entrySet()) {
                    out.put(String.valueOf(e.getKey()), e.getValue());
                }
            }
        } catch (Throwable t) {
            // Without the table, only the native shim is re-installed.
        }
        return out;
    }

    String state(int i) {
        return "SIG" + NAMES[i] + ": " + javaState[i] + "; " + nativeState[i];
    }

    boolean hupIgnoredAtStart() {
        return ignoredHupAtStart;
    }

    private static int indexOf(Object signal) {
        if (signal == null) {
            return -1;
        }
        String s = signal.toString(); // jdk.internal.misc.Signal: "SIGTERM"
        for (int i = 0; i < NAMES.length; i++) {
            if (s.equals("SIG" + NAMES[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The JVM's own handler ({@code java.lang.Terminator}), seen through sun.misc's adapter, whose toString is the
     * wrapped handler's ({@code java.lang.Terminator$1@1b6d3586}): no reflection in premain.
     */
    private static boolean isJvmHandler(SignalHandler h) {
        return h != null && String.valueOf(h).startsWith("java.lang.Terminator");
    }

    /** A jdk.internal.misc handler that is sun.misc's adapter around one of our wrappers. */
    private static boolean isOurs(Object internalHandler) {
        return field(internalHandler, "handler") instanceof Wrapper;
    }

    private static String describe(SignalHandler h) {
        Object inner = field(h, "iHandler");
        String cls = (inner != null ? inner : h).getClass().getName();
        int lambda = cls.indexOf("$$Lambda");
        return lambda > 0 ? cls.substring(0, lambda) + " (a lambda)" : cls;
    }

    /** Reads a private field of sun.misc's adapters (jdk.unsupported opens sun.misc). */
    private static Object field(Object o, String name) {
        if (o == null || !o.getClass().getName().startsWith("sun.misc.Signal$")) {
            return null;
        }
        try {
            Field f = o.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(o);
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * Runs on the JVM's "SIGTERM handler" thread: records the signal (for the JVM's own handler, that means the last
     * words, forced), then hands over to the handler it replaced, so exit statuses and hooks are the JVM's.
     */
    final class Wrapper implements SignalHandler {
        final int index;
        volatile boolean exitsJvm;
        volatile SignalHandler delegate;

        Wrapper(int index, boolean exitsJvm) {
            this.index = index;
            this.exitsJvm = exitsJvm;
        }

        @Override
        public void handle(Signal sig) {
            SignalHandler d = awaitDelegate();
            boolean outermost = HANDLING.get() == null;
            if (outermost) {
                HANDLING.set(Boolean.TRUE);
            }
            try {
                if (Feature.enabled(Feature.TERMINATION)) {
                    recorder.signalArrived(NUMBERS[index], exitsJvm || d == null, !outermost);
                }
            } catch (Throwable t) {
                AdviceErrors.record(t, Feature.TERMINATION);
            }
            if (d != null) {
                d.handle(sig);
            } else {
                // Never seen: Signal.handle did not return within a second. Do what the JVM's handler does.
                Runtime.getRuntime().exit(128 + NUMBERS[index]);
            }
        }

        /** The delegate is set right after Signal.handle returns; a signal in between waits for it (briefly). */
        private SignalHandler awaitDelegate() {
            SignalHandler d = delegate;
            for (int i = 0; d == null && i < 1000; i++) {
                Thread.onSpinWait();
                if (i > 100) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                d = delegate;
            }
            return d;
        }
    }
}
