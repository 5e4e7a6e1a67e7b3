package dev.forensics.targets;

import dev.forensics.termination.Termination;
import dev.forensics.termination.TerminationListener;
import java.nio.file.Path;

/**
 * Stands for a feature that follows a death (the black box): registers a {@link TerminationListener} through the
 * agent's boot-loaded API and prints every call, then idles with one shutdown hook until a signal ends it.
 */
public final class ListenerProbe {
    public static void main(String[] args) throws Exception {
        AgentReady.await(args[0]);
        Termination.addListener(new TerminationListener() {
            @Override
            public void shutdownStarted(String verdict, String kind) {
                say("shutdownStarted kind=" + kind + " verdict=" + verdict);
            }

            @Override
            public void lastWordsWritten(Path path) {
                say("lastWordsWritten " + path);
            }

            @Override
            public void hookStarted(String name) {
                say("hookStarted " + name);
            }

            @Override
            public void hookFinished(String name, long millis) {
                say("hookFinished " + name);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Service.sleep(100), "probe-hook"));
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(120_000);
    }

    static synchronized void say(String s) {
        System.out.println("listener: " + s);
        System.out.flush();
    }
}
