package dev.forensics.targets;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;

/**
 * A launcher as Spring Boot's is: the only class on the JVM's class path, it creates a class loader over the
 * application's classes and jars (which the system loader never sees), makes it the context loader and runs the real
 * main inside it: {@code ChildLoaderLauncher <early path|-> <app path> <main class> <dir> [args…]}. With an early path,
 * {@code HttpBodies <dir> urlconnection leak 0} runs first in a loader of its own, so a finding is reported before
 * the application's loader exists. With {@code -Dlauncher.afterSelfCheck=true} the application's loader is created only
 * once the agent's start-up self-check is in the journal, as a launcher that unpacks or scans first would. Uses the JDK
 * and {@link AgentReady} only, which the test puts next to it.
 */
public final class ChildLoaderLauncher {
    public static void main(String[] args) throws Throwable {
        String dir = args[3];
        if (Boolean.getBoolean("launcher.afterSelfCheck")) {
            AgentReady.await(dir);
        }
        if (!args[0].equals("-")) {
            run(loader("early", args[0]), "dev.forensics.targets.http.HttpBodies", new String[] {dir, "urlconnection", "leak", "0"});
        }
        run(loader("app", args[1]), args[2], Arrays.copyOfRange(args, 3, args.length));
    }

    private static URLClassLoader loader(String name, String path) throws Exception {
        String[] entries = path.split(File.pathSeparator);
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            urls[i] = new File(entries[i]).toURI().toURL();
        }
        return new URLClassLoader(name, urls, ClassLoader.getSystemClassLoader());
    }

    private static void run(ClassLoader loader, String main, String[] args) throws Throwable {
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Class.forName(main, true, loader).getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
