package dev.forensics.agent;

import dev.forensics.instrument.Hook;
import dev.forensics.instrument.exit.ExitInstrumentation;
import dev.forensics.report.Finding;
import dev.forensics.report.Reporter;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.pool.TypePool;
import net.bytebuddy.utility.JavaModule;

/**
 * What became of each hook: transformed, waiting for its class to load, missing on this JDK, or not applicable
 * because the application lacks the library. Also counts transformation errors, which Byte Buddy would
 * otherwise only hand to a listener nobody reads.
 */
final class HookStatus {
    enum State { ACTIVE, READY, MISSING, NOT_APPLICABLE, FAILED }

    record Entry(Hook hook, State state, String detail) {}

    record Report(List<Entry> entries, long transformationErrors) {
        List<Entry> in(State... states) {
            List<Entry> out = new ArrayList<>();
            for (Entry e : entries) {
                for (State s : states) {
                    if (e.state() == s) {
                        out.add(e);
                    }
                }
            }
            return out;
        }

        String missingSummary() {
            StringBuilder sb = new StringBuilder();
            for (Entry e : in(State.MISSING, State.FAILED)) {
                if (sb.length() > 0) {
                    sb.append("; ");
                }
                sb.append(e.hook().name()).append(": ").append(e.detail());
            }
            return sb.toString();
        }
    }

    private final List<Hook> hooks;
    private final java.util.Set<String> targets = new java.util.HashSet<>();
    private volatile boolean checked;
    private final Map<String, Boolean> transformed = new ConcurrentHashMap<>();
    private final Map<String, String> errors = new ConcurrentHashMap<>();
    private final AtomicLong errorCount = new AtomicLong();

    HookStatus(List<Hook> hooks) {
        this.hooks = hooks;
        for (Hook h : hooks) {
            targets.add(h.typeName());
        }
    }

    AgentBuilder.Listener listener() {
        return new AgentBuilder.Listener.Adapter() {
            @Override
            public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded, DynamicType dynamicType) {
                transformed.put(type.getName(), Boolean.TRUE);
            }

            /** Only our targets count: with pool-only descriptions Byte Buddy also reports classes it merely could not describe. */
            @Override
            public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable throwable) {
                if (!targets.contains(typeName)) {
                    return;
                }
                errorCount.incrementAndGet();
                if (errors.putIfAbsent(typeName, String.valueOf(throwable)) == null && checked) {
                    Reporter.report(Finding.error("agent", "transform:" + typeName,
                            "forensics: transformation of " + typeName + " failed; its hooks are inactive: " + throwable));
                }
            }
        };
    }

    /** Run once, right after installation; later transformations still update the live counters. */
    Report check(Instrumentation inst, List<Hook> woven) {
        TypePool jdk = Installer.jdkPool();
        java.util.Set<String> loaded = new java.util.HashSet<>();
        Class<?>[] all = inst.getAllLoadedClasses(); // null once the JVM is exiting (an app that ends during install)
        for (Class<?> c : all == null ? new Class<?>[0] : all) {
            loaded.add(c.getName());
        }
        List<Entry> entries = new ArrayList<>();
        for (Hook hook : hooks) {
            String error = errors.get(hook.typeName());
            if (error != null) {
                entries.add(new Entry(hook, State.FAILED, error));
            } else if (hook.library() != null) {
                boolean onClassPath = ClassLoader.getSystemResource(hook.library()) != null;
                // A library on the class path is checked like the JDK: a version whose internals changed is reported.
                String problem = onClassPath ? Installer.verify(jdk, hook) : null;
                if (problem != null) {
                    entries.add(new Entry(hook, State.MISSING, problem));
                    continue;
                }
                entries.add(new Entry(hook, onClassPath || transformed.containsKey(hook.typeName()) ? State.READY : State.NOT_APPLICABLE,
                        onClassPath ? "applied when " + hook.typeName() + " loads" : "library not on the class path"));
            } else {
                String problem = Installer.verify(jdk, hook);
                if (problem != null) {
                    entries.add(new Entry(hook, State.MISSING, problem));
                } else if (transformed.containsKey(hook.typeName())) {
                    entries.add(new Entry(hook, State.ACTIVE, "transformed"));
                } else if (loaded.contains(hook.typeName())) {
                    entries.add(new Entry(hook, State.FAILED, hook.typeName() + " is loaded but was not transformed"));
                } else {
                    entries.add(new Entry(hook, State.READY, "applied when " + hook.typeName() + " loads"));
                }
            }
        }
        for (Hook hook : woven) {
            ExitInstrumentation.Status s = ExitInstrumentation.status(hook.name());
            State state = s.state() == ExitInstrumentation.State.ACTIVE ? State.ACTIVE
                    : s.state() == ExitInstrumentation.State.OFF ? State.NOT_APPLICABLE : State.MISSING;
            entries.add(new Entry(hook, state, s.detail()));
        }
        checked = true;
        return new Report(Collections.unmodifiableList(entries), errorCount.get());
    }

    long transformationErrors() {
        return errorCount.get();
    }
}
