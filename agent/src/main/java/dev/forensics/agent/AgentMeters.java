package dev.forensics.agent;

import dev.forensics.bootstrap.AdviceErrors;
import dev.forensics.metrics.Meters;

/**
 * The agent's status for the meters: the self-check's hook counts and the suppressed errors. The self-check walks every
 * loaded class, so a scrape reuses its answer for a minute.
 */
final class AgentMeters implements Meters.AgentFigures {
    static final long RECHECK_NANOS = 60_000_000_000L;

    private final AgentRuntime runtime;
    private long checkedNanos;
    private boolean checked;
    private long active;
    private long missing;

    AgentMeters(AgentRuntime runtime) {
        this.runtime = runtime;
    }

    private synchronized void check() {
        long now = System.nanoTime();
        if (checked && now - checkedNanos < RECHECK_NANOS) {
            return;
        }
        HookStatus.Report r = runtime.hookReport();
        if (r == null) {
            return; // installation still running: ask again next time
        }
        active = r.in(HookStatus.State.ACTIVE, HookStatus.State.READY).size();
        missing = r.in(HookStatus.State.MISSING, HookStatus.State.FAILED).size();
        checked = true;
        checkedNanos = now;
    }

    @Override
    public synchronized long hooksActive() {
        check();
        return active;
    }

    @Override
    public synchronized long hooksMissing() {
        check();
        return missing;
    }

    @Override
    public long suppressedErrors() {
        return AdviceErrors.total();
    }
}
