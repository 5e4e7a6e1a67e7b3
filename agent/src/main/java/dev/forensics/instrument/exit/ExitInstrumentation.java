package dev.forensics.instrument.exit;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.Hook;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.Type;

/**
 * Where the JVM decides to end: {@code Runtime.exit/halt} (every {@code System.exit}; halt skips hooks and JFR's
 * dump), {@code Shutdown.runHooks} (the shutdown sequence starts, whatever started it), {@code Shutdown.shutdown}
 * (DestroyJavaVM found no non-daemon thread left), {@code Thread.dispatchUncaughtException} (a thread, maybe
 * main, dies of an exception) and {@code jdk.internal.misc.Signal.handle} (which replaces our native signal
 * handler with the JVM's, so we step aside before it and come back after).
 *
 * <p>Woven with plain ASM ({@link CallWeaver}; classes with entry sites only by a direct class-file edit,
 * {@link EntryPatch}), not Byte Buddy, whose installation takes about half a second on a thread of its own:
 * {@code Runtime} synchronously in premain, because an exit or halt during start-up must still name its caller, and
 * the rest first thing on the installer thread (see {@link #EARLY}, {@link #LATE}). These names are JDK internals that
 * can change shape; the self-check reports a site that found no method as missing.
 */
public final class ExitInstrumentation implements ClassFileTransformer {
    private static final String HOOKS = "dev/forensics/bootstrap/TerminationHooks";
    private static final String SIGNAL = "jdk/internal/misc/Signal";
    private static final String HANDLE = "(Ljdk/internal/misc/Signal;Ljdk/internal/misc/Signal$Handler;)Ljdk/internal/misc/Signal$Handler;";

    static final List<CallWeaver.Site> SITES = List.of(
            new CallWeaver.Site("exit.exit", "java/lang/Runtime", "exit", "(I)V", false, HOOKS, "exit", "(I)V"),
            new CallWeaver.Site("exit.halt", "java/lang/Runtime", "halt", "(I)V", false, HOOKS, "halt", "(I)V"),
            new CallWeaver.Site("exit.shutdown-hooks", "java/lang/Shutdown", "runHooks", "()V", false, HOOKS, "shutdownStarting", "()V"),
            new CallWeaver.Site("exit.shutdown-hooks-done", "java/lang/Shutdown", "runHooks", "()V", true, HOOKS, "shutdownHooksDone", "()V"),
            new CallWeaver.Site("exit.last-thread", "java/lang/Shutdown", "shutdown", "()V", false, HOOKS, "lastThreadEnded", "()V"),
            new CallWeaver.Site("exit.uncaught", "java/lang/Thread", "dispatchUncaughtException", "(Ljava/lang/Throwable;)V", false,
                    HOOKS, "uncaught", "(Ljava/lang/Throwable;)V"),
            new CallWeaver.Site("exit.signal-handle", SIGNAL, "handle", HANDLE, false,
                    HOOKS, "signalHandlerChanging", "(Ljava/lang/Object;Ljava/lang/Object;)V"),
            new CallWeaver.Site("exit.signal-handled", SIGNAL, "handle", HANDLE, true,
                    HOOKS, "signalHandlerChanged", "(Ljava/lang/Object;Ljava/lang/Object;)V"));

    /** What became of one site, for the self-check. */
    public enum State { ACTIVE, OFF, MISSING }

    public record Status(State state, String detail) {}

    private static final Map<String, Status> STATUS = new ConcurrentHashMap<>();
    private static volatile String offReason = "termination=off";

    private ExitInstrumentation() {}

    /** Woven in premain: an exit or halt during start-up must still name its caller. */
    public static final String[] EARLY = {"java/lang/Runtime"};

    /**
     * Woven right after premain, on the agent's installer thread, before Byte Buddy: the shutdown sequence, uncaught
     * exceptions and {@code Signal.handle}. Until then a death is still explained (the signal wrapper and the exit hook
     * write the last words); only the hooks' progress and a main thread's uncaught exception would be missed.
     */
    public static final String[] LATE = {"java/lang/Shutdown", "java/lang/Thread", SIGNAL};

    private static volatile ExitInstrumentation transformer;

    /**
     * Registers the transformer (once) and weaves the given classes now, by retransformation. Never throws; failures
     * are left in {@link #status(String)} for the self-check to report.
     */
    public static void install(Instrumentation inst, String... owners) {
        offReason = null;
        try {
            if (transformer == null) {
                transformer = new ExitInstrumentation();
                inst.addTransformer(transformer, true);
            }
            List<Class<?>> classes = new ArrayList<>();
            for (String owner : owners) {
                try {
                    classes.add(Class.forName(owner.replace('/', '.'), false, null));
                } catch (Throwable t) {
                    missing(owner, "class " + owner.replace('/', '.') + " not found");
                }
            }
            try {
                inst.retransformClasses(classes.toArray(new Class<?>[0]));
            } catch (Throwable all) {
                for (Class<?> c : classes) { // find the one that refused, keep the others
                    try {
                        inst.retransformClasses(c);
                    } catch (Throwable one) {
                        missing(c.getName().replace('.', '/'), "retransformation failed: " + one);
                    }
                }
            }
        } catch (Throwable t) {
            for (String owner : owners) {
                missing(owner, "not installed: " + t);
            }
        }
        for (CallWeaver.Site s : SITES) {
            for (String owner : owners) {
                if (s.owner().equals(owner) && !STATUS.containsKey(s.hookName())) {
                    STATUS.put(s.hookName(), new Status(State.MISSING, "no method " + s.method() + s.descriptor() + " in " + s.owner().replace('/', '.')));
                }
            }
        }
    }

    /** Descriptions for the self-check (which reports them as {@code hook exit.exit active}); never given to Byte Buddy. */
    public static List<Hook> hooks() {
        List<Hook> hooks = new ArrayList<>();
        for (CallWeaver.Site s : SITES) {
            hooks.add(Hook.jdk(s.hookName(), Feature.TERMINATION, s.owner().replace('/', '.'),
                    named(s.method()).and(takesArguments(Type.getArgumentTypes(s.descriptor()).length)), ExitInstrumentation.class));
        }
        return hooks;
    }

    public static Status status(String hookName) {
        String off = offReason;
        if (off != null) {
            return new Status(State.OFF, off);
        }
        Status s = STATUS.get(hookName);
        return s != null ? s : new Status(State.MISSING, "not woven yet");
    }

    /** Overrides "active": {@link #transform} says so when it returns bytes, before the JVM has accepted them. */
    private static void missing(String owner, String why) {
        for (CallWeaver.Site s : SITES) {
            if (s.owner().equals(owner)) {
                STATUS.put(s.hookName(), new Status(State.MISSING, why));
            }
        }
    }

    /**
     * Weaves only while classes are retransformed, never while one loads: a class the verifier rejected at load
     * would be broken for the application, while a rejected retransformation leaves the class as it was (and the
     * self-check reports the hook missing).
     */
    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined, ProtectionDomain domain, byte[] classFile) {
        if (loader != null || className == null || redefined == null) {
            return null;
        }
        List<CallWeaver.Site> sites = null;
        for (CallWeaver.Site s : SITES) {
            if (s.owner().equals(className)) {
                if (sites == null) {
                    sites = new ArrayList<>(2);
                }
                sites.add(s);
            }
        }
        if (sites == null) {
            return null;
        }
        try {
            List<String> woven = new ArrayList<>();
            byte[] out = weave(classFile, sites, woven);
            for (String name : woven) {
                STATUS.put(name, new Status(State.ACTIVE, "woven at start-up"));
            }
            return out;
        } catch (Throwable t) {
            for (CallWeaver.Site s : sites) {
                STATUS.put(s.hookName(), new Status(State.MISSING, "weaving " + className.replace('/', '.') + " failed: " + t));
            }
            return null;
        }
    }

    /** Entry-only classes ({@code Runtime}, {@code Thread}) without ASM, whose first use costs premain 4-6 ms. */
    private static byte[] weave(byte[] classFile, List<CallWeaver.Site> sites, List<String> woven) {
        try {
            return EntryPatch.patch(classFile, sites, Feature.TERMINATION, woven);
        } catch (EntryPatch.Unsupported notForThisClass) {
            return CallWeaver.weave(classFile, sites, Feature.TERMINATION, woven);
        }
    }
}
