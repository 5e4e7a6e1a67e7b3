package dev.forensics.instrument;

import dev.forensics.bootstrap.Feature;
import dev.forensics.instrument.apache4.Apache4Instrumentation;
import dev.forensics.instrument.apache5.Apache5Instrumentation;
import dev.forensics.instrument.apache5async.Apache5AsyncInstrumentation;
import dev.forensics.instrument.exit.ExitInstrumentation;
import dev.forensics.instrument.jdkhttp.JdkHttpClientInstrumentation;
import dev.forensics.instrument.jetty.JettyInstrumentation;
import dev.forensics.instrument.okhttp.OkHttpInstrumentation;
import dev.forensics.instrument.reactornetty.ReactorNettyInstrumentation;
import dev.forensics.instrument.socket.SocketWriteInstrumentation;
import dev.forensics.instrument.stdstream.StdStreamInstrumentation;
import dev.forensics.instrument.urlconnection.UrlConnectionInstrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * Every method the agent intercepts, in one table: one line per instrumented client or JDK target, each of whose
 * folders holds its own rows (the methods, what is woven and why). The weaver applies them and the self-check
 * accounts for each. A feature that is off contributes no rows, so none of its classes is ever loaded.
 */
public final class Targets {
    private Targets() {}

    /** The hooks of the features that are on; {@code on} is indexed by {@link Feature}. */
    public static List<Hook> enabled(boolean[] on) {
        List<Hook> hooks = new ArrayList<>();
        if (on[Feature.TERMINATION]) {
            hooks.addAll(ExitInstrumentation.hooks());
        }
        if (on[Feature.PIPES]) {
            hooks.addAll(SocketWriteInstrumentation.hooks());
        }
        if (on[Feature.STDSTREAMS]) {
            hooks.addAll(StdStreamInstrumentation.hooks());
        }
        if (on[Feature.LEAKS]) {
            hooks.addAll(JdkHttpClientInstrumentation.hooks());
            hooks.addAll(UrlConnectionInstrumentation.hooks());
            hooks.addAll(Apache5Instrumentation.hooks());
            hooks.addAll(Apache5AsyncInstrumentation.hooks());
            hooks.addAll(Apache4Instrumentation.hooks());
            hooks.addAll(OkHttpInstrumentation.hooks());
            hooks.addAll(JettyInstrumentation.hooks());
            hooks.addAll(ReactorNettyInstrumentation.hooks());
        }
        return hooks;
    }

    /** The clients whose use the journal names because their bodies go untracked; null when the leak feature is off. */
    public static UnwatchedClients unwatched(boolean[] on) {
        return on[Feature.LEAKS] ? new UnwatchedClients() : null;
    }

    /** Every hook, whatever is switched on: for the tests that check each one against the JDKs and libraries. */
    public static List<Hook> all() {
        boolean[] on = new boolean[Feature.COUNT];
        java.util.Arrays.fill(on, true);
        return enabled(on);
    }
}
