package dev.forensics.instrument;

import dev.forensics.instrument.apache4.Apache4Instrumentation;
import dev.forensics.instrument.apache5.Apache5Instrumentation;
import dev.forensics.instrument.exit.ExitInstrumentation;
import dev.forensics.instrument.socket.SocketChannelWriteInstrumentation;
import dev.forensics.instrument.socket.SocketWriteInstrumentation;
import dev.forensics.instrument.socket.TlsWriteInstrumentation;
import dev.forensics.instrument.stdstream.StdStreamInstrumentation;
import dev.forensics.instrument.jdkhttp.JdkHttpClientInstrumentation;
import dev.forensics.instrument.okhttp.OkHttpInstrumentation;
import dev.forensics.instrument.urlconnection.UrlConnectionInstrumentation;
import java.util.ArrayList;
import java.util.List;

/** Every hook the agent declares, in one list: the installer applies them and the self-check accounts for each. */
public final class Targets {
    private Targets() {}

    public static List<Hook> all() {
        List<Hook> hooks = new ArrayList<>();
        hooks.addAll(SocketWriteInstrumentation.hooks());
        hooks.addAll(SocketChannelWriteInstrumentation.hooks());
        hooks.addAll(TlsWriteInstrumentation.hooks());
        hooks.addAll(StdStreamInstrumentation.hooks());
        hooks.addAll(JdkHttpClientInstrumentation.hooks());
        hooks.addAll(UrlConnectionInstrumentation.hooks());
        hooks.addAll(Apache5Instrumentation.hooks());
        hooks.addAll(Apache4Instrumentation.hooks());
        hooks.addAll(OkHttpInstrumentation.hooks());
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
