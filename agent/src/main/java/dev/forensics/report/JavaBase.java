package dev.forensics.report;

import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Opens packages of java.base to the agent's module (the boot loader's unnamed one), which the Instrumentation API
 * allows an agent: the termination capture and the black box read JDK internals that no public API exposes. One
 * place, so a package already open is not opened again however many features ask (opening is idempotent, so two
 * features racing at start-up at worst open it twice).
 */
public final class JavaBase {
    private JavaBase() {}

    private static volatile Instrumentation remembered;

    /** Keeps the agent's Instrumentation for a package opened later, by {@link #openLater}: premain pays nothing. */
    public static void remember(Instrumentation inst) {
        remembered = inst;
    }

    /** Opens the packages with the remembered Instrumentation; false when there is none or the JDK refuses. */
    static boolean openLater(String... packages) {
        try {
            open(remembered, packages);
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Opens the packages not yet open to the agent; throws what the JDK throws when it refuses. */
    public static void open(Instrumentation inst, String... packages) {
        Module base = Object.class.getModule();
        Module us = JavaBase.class.getModule();
        Map<String, Set<Module>> opens = new HashMap<>();
        for (String p : packages) {
            if (!base.isOpen(p, us)) {
                opens.put(p, Set.of(us));
            }
        }
        if (opens.isEmpty()) {
            return;
        }
        if (inst == null || !inst.isModifiableModule(base)) {
            throw new UnsupportedOperationException("java.base cannot be modified by this agent");
        }
        inst.redefineModule(base, Set.of(), Map.of(), opens, Set.of(), Map.of());
    }
}
