package dev.forensics.agent;

import dev.forensics.instrument.Hook;
import dev.forensics.instrument.Weaver;
import dev.forensics.report.Finding;
import dev.forensics.report.Reporter;
import java.lang.instrument.Instrumentation;
import java.util.List;

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
    private final class Failures implements Weaver.FailureListener {
        @Override
        public void weavingFailed(String className, Throwable error) {
            Installer.this.weavingFailed(className, error);
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
