package dev.forensics.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

/**
 * Entry point for {@code -javaagent:forensics.jar=options} and for {@code forensics attach}. Nothing here may
 * throw: an exception out of premain stops the JVM, which is the one thing this agent must never do.
 *
 * <p>Advice inlined into java.base can only call classes the bootstrap loader sees, so the whole agent lives
 * there: the manifest's {@code Boot-Class-Path: forensics.jar} puts it there at start-up; a renamed jar or an
 * attach appends it here, before any other agent class is touched, so parent-first delegation gives every agent
 * class exactly one loader. This class uses nothing of ours until then.
 */
public final class ForensicsAgent {
    private ForensicsAgent() {}

    public static void premain(String options, Instrumentation inst) {
        start(options, inst, false);
    }

    public static void agentmain(String options, Instrumentation inst) {
        start(options, inst, true);
    }

    private static void start(String options, Instrumentation inst, boolean attached) {
        try {
            if (ForensicsAgent.class.getClassLoader() != null) {
                File jar = new File(ForensicsAgent.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI());
                inst.appendToBootstrapClassLoaderSearch(new JarFile(jar));
            }
            AgentRuntime.start(options, inst, attached);
        } catch (Throwable t) {
            System.err.println("forensics: agent disabled, the application continues without it: " + t);
        }
    }
}
