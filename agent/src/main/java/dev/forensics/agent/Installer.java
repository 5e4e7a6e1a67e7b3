package dev.forensics.agent;

import dev.forensics.instrument.Hook;
import dev.forensics.instrument.Weaver;
import dev.forensics.report.Finding;
import dev.forensics.report.Loaders;
import dev.forensics.report.Reporter;
import java.lang.instrument.Instrumentation;
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

    private Installer(List<Hook> hooks) {
        this.hooks = hooks;
        this.weaver = new Weaver(hooks, new Failures());
    }

    static Installer install(Instrumentation inst, List<Hook> hooks) {
        Installer installer = new Installer(hooks);
        installer.weaver.install(inst);
        return installer;
    }

    HookStatus.Report check(Instrumentation inst) {
        HookStatus.Report r = status.check(inst, hooks, weaver);
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
                Reporter.journal("agent", "hook " + h.name() + " active: " + className + " woven in " + Loaders.describe(loader));
            }
        }
    }

    /** A class that failed to weave loads unchanged; said at once when it happens after the self-check. */
    private void weavingFailed(String className, Throwable error) {
        status.weavingFailed();
        if (checked) {
            Reporter.report(Finding.error("agent", "transform:" + className,
                    "forensics: weaving " + className + " failed; its hooks are inactive: " + error));
        }
    }
}
