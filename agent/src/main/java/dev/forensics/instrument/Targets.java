package dev.forensics.instrument;

import dev.forensics.instrument.exit.ExitInstrumentation;
import java.util.ArrayList;
import java.util.List;

/** Every hook the agent declares, in one list: the installer applies them and the self-check accounts for each. */
public final class Targets {
    private Targets() {}

    public static List<Hook> all() {
        List<Hook> hooks = new ArrayList<>();
        hooks.addAll(ExitInstrumentation.hooks());
        return hooks;
    }
}
