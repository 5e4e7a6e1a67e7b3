package dev.forensics.agent;

import dev.forensics.instrument.Hook;
import dev.forensics.instrument.UnwatchedClients;
import dev.forensics.instrument.Weaver;
import dev.forensics.report.Finding;
import dev.forensics.report.LibraryVersion;
import dev.forensics.report.Loaders;
import dev.forensics.report.Reporter;
import dev.forensics.report.Stderr;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies the hook table with the one {@link Weaver}: registered before premain returns, so every hooked class that
 * loads from then on is woven as it loads, and the hooked classes already loaded (the JDK's exit path, file output)
 * are retransformed at once. The self-check comes later, off the start-up path ({@link #check}).
 */
final class Installer {
    private final List<Hook> hooks;
    private final HookStatus status = new HookStatus();
    private final Weaver weaver;
    private volatile boolean checked;
    /** Library hooks already said to be woven after the self-check. */
    private final Set<String> announced = ConcurrentHashMap.newKeySet();

    private Installer(List<Hook> hooks, UnwatchedClients unwatched) {
        this.hooks = hooks;
        this.weaver = new Weaver(hooks, unwatched, new Failures());
        if (unwatched != null) {
            NoteUnwatched.class.getName(); // loaded now, not first from inside a transformation
        }
    }

    static Installer install(Instrumentation inst, List<Hook> hooks) {
        return install(inst, hooks, null);
    }

    /** {@code unwatched}: the clients whose use is worth a journal line, or null. */
    static Installer install(Instrumentation inst, List<Hook> hooks, UnwatchedClients unwatched) {
        Installer installer = new Installer(hooks, unwatched);
        installer.weaver.install(inst);
        return installer;
    }

    /** The whole self-check, reading the class file of each hook whose class has not loaded yet (on request). */
    HookStatus.Report check(Instrumentation inst) {
        HookStatus.Report r = status.check(inst, hooks, weaver, true);
        checked = true;
        return r;
    }

    /**
     * The start-up self-check: a hook whose class has not loaded yet is ready when its class file exists, without
     * reading it; whether its method is there is said when the class loads ({@link Failures#matchedNothing}). Reading
     * and parsing those class files at every start cost the JVM its pages of the module image and compiled methods.
     */
    HookStatus.Report checkAtStart(Instrumentation inst) {
        HookStatus.Report r = status.check(inst, hooks, weaver, false);
        checked = true;
        return r;
    }

    long transformationErrors() {
        return status.transformationErrors();
    }

    /** A named class, not a method reference: no lambda on the start-up path. */
    private final class Failures implements Weaver.Listener {
        @Override
        public void weavingFailed(String className, Throwable error) {
            Installer.this.weavingFailed(className, error);
        }

        @Override
        public void woven(String className, ClassLoader loader) {
            Installer.this.woven(className, loader);
        }

        @Override
        public void matchedNothing(Hook hook, String detail) {
            if (checked) { // before, the self-check lists it as missing
                Thread t = new Thread(new NoteMissing(hook, detail), "forensics-missing");
                t.setDaemon(true);
                t.start();
            }
        }

        /** Reading the version opens files: not on the thread that is defining a class, which may hold loader locks. */
        @Override
        public void unwatched(
                UnwatchedClients.Client client, String className, ClassLoader loader, ProtectionDomain domain) {
            Thread t = new Thread(new NoteUnwatched(client, className, loader, domain), "forensics-unwatched");
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * A hook whose class loaded after the self-check and has no method it matches: the start-up check named it ready
     * without reading the class file, so this is where the JVM learns that the hook is inactive.
     */
    private static final class NoteMissing implements Runnable {
        private final Hook hook;
        private final String detail;

        NoteMissing(Hook hook, String detail) {
            this.hook = hook;
            this.detail = detail;
        }

        @Override
        public void run() {
            try {
                Reporter.journal("agent", "hook " + hook.name() + " missing: " + detail);
                Stderr.line(
                        "forensics: hook " + hook.name() + " matched nothing on this JVM and is inactive: " + detail);
            } catch (Throwable t) {
                // a line not written is the whole cost of a failure here
            }
        }
    }

    /** The journal line for a client the agent does not track, with the version its jar declares. */
    private static final class NoteUnwatched implements Runnable {
        private final UnwatchedClients.Client client;
        private final String className;
        private final ClassLoader loader;
        private final ProtectionDomain domain;

        NoteUnwatched(UnwatchedClients.Client client, String className, ClassLoader loader, ProtectionDomain domain) {
            this.client = client;
            this.className = className;
            this.loader = loader;
            this.domain = domain;
        }

        @Override
        public void run() {
            try {
                String version = LibraryVersion.of(loader, domain, client.groupId(), client.artifactId());
                Reporter.journal(
                        "leak",
                        client.name() + (version == null ? " (version unknown)" : " " + version)
                                + " is in use; its response bodies are not tracked (" + className + " in "
                                + Loaders.describe(loader) + ")");
            } catch (Throwable t) {
                // a line not written is the whole cost of a failure here
            }
        }
    }

    /**
     * A library's class woven after the self-check (its loader appeared later, as Spring Boot's does): said once per
     * hook, since the start-up lines may have called it not applicable.
     */
    private void woven(String className, ClassLoader loader) {
        if (!checked) {
            return;
        }
        for (Hook h : hooks) {
            if (h.library() != null && h.typeName().equals(className) && announced.add(h.name())) {
                Reporter.journal(
                        "agent",
                        "hook " + h.name() + " active: " + className + " woven in " + Loaders.describe(loader));
            }
        }
    }

    /** A class that failed to weave loads unchanged; said at once when it happens after the self-check. */
    private void weavingFailed(String className, Throwable error) {
        status.weavingFailed();
        if (checked) {
            Reporter.report(Finding.error(
                    "agent",
                    "transform:" + className,
                    "forensics: weaving " + className + " failed; its hooks are inactive: " + error));
        }
    }
}
