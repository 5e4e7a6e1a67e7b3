package dev.forensics.instrument;

import dev.forensics.instrument.exit.ExitInstrumentation;
import java.util.ArrayList;
import java.util.List;

/** Every hook the agent declares, in one list: the installer applies them and the self-check accounts for each. */
public final class Targets {
    private Targets() {}

    public static List<Hook> all() {
        List<Hook> hooks = new ArrayList<>();
        return hooks;
    }

    /**
     * Hooks woven synchronously in premain with plain ASM (see {@link ExitInstrumentation}), never by Byte Buddy;
     * listed here so the self-check accounts for them like every other hook.
     */
    public static List<Hook> woven() {
        return ExitInstrumentation.hooks();
    }
}
