package dev.forensics.leak;

import dev.forensics.metrics.MeterBindings;
import dev.forensics.metrics.Meters;
import dev.forensics.report.Finding;
import dev.forensics.report.Jfr;
import dev.forensics.report.Reporter;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The one thread that turns tracking into findings ("forensics-leaks"): it takes the bodies the collector found
 * unreachable and unclosed, looks for bodies open past the threshold, reports withdrawals, samples health, and writes
 * the live table on request and when the JVM goes. Application threads only update tables; every line, event and
 * file write happens here (or in the shutdown hook), so reporting can never slow down or recurse into a request.
 */
final class LeakWatcher implements Runnable {
    static final int MAX_SITES = 1024;
    static final int MAX_ROWS = 25;
    private static final int MAX_WITHDRAWALS = 10_000;
    private static final long TICK_NANOS = 1_000_000_000L;
    /** The least time between two lines for one leaking site. */
    static final long PROGRESS_NANOS = 60_000_000_000L;
    /** What the exit summary may spend grouping open bodies: the JVM does not end before it is done. */
    static final long EXIT_SUMMARY_BUDGET_NANOS = 500_000_000L;

    private final BodyTracker tracker;
    private final long heldNanos;
    private final long healthNanos;
    private final int maxOpen;
    private final String stacks;
    /** Every GC-confirmed leak since start, by site; guarded by itself. */
    private final Tallies leaks = new Tallies(MAX_SITES);
    /** Which bodies take a stack whatever the sampler says; shared with the application threads' side. */
    private final Shapes shapes = new Shapes();

    private final ConcurrentLinkedQueue<Withdrawal> withdrawals = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedWithdrawals = new AtomicInteger();
    private final AtomicLong droppedWithdrawals = new AtomicLong();
    private final AtomicLong heldReported = new AtomicLong();
    private final AtomicBoolean summarized = new AtomicBoolean();
    private final Map<String, Boolean> stackJournaled = new LinkedHashMap<>();
    /** Pools that refused a request, each reported once (bounded); the refusals wait here for the next tick. */
    private final java.util.concurrent.ConcurrentHashMap<String, Boolean> refusedPools =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final ConcurrentLinkedQueue<String[]> refusals = new ConcurrentLinkedQueue<>();
    static final int MAX_POOLS = 64;
    private volatile Health health;
    private volatile ClientBodies clients;
    /** Open bodies by client as of the last tick (every client seen stays, at 0), for the meters; at most {@link #MAX_CLIENTS}. */
    private volatile Map<String, Long> openByClient = Map.of();
    /** GC-confirmed leaks by {client, status class}; guarded by itself. Bounded: clients x six classes. */
    private final Map<List<String>, Long> leakedBy = new LinkedHashMap<>();

    private final Set<String> leakClients = new HashSet<>();
    static final int MAX_CLIENTS = 16;
    /** The metrics option: off, nothing is counted for meters and no class of theirs loads. */
    private volatile boolean metered;

    private static final class Withdrawal {
        final TrackedBody body;
        final long closedNanos;

        Withdrawal(TrackedBody body, long closedNanos) {
            this.body = body;
            this.closedNanos = closedNanos;
        }
    }

    LeakWatcher(BodyTracker tracker, long heldNanos, long healthNanos, String stacks) {
        this.tracker = tracker;
        this.heldNanos = heldNanos;
        this.healthNanos = healthNanos;
        this.maxOpen = tracker.maxOpen();
        this.stacks = stacks;
    }

    Shapes shapes() {
        return shapes;
    }

    void attach(ClientBodies clients, Health health) {
        this.clients = clients;
        this.health = health;
    }

    @Override
    public void run() {
        if (Jfr.AVAILABLE) {
            try {
                LeakEvents.registerPeriodic(this, health);
            } catch (Throwable t) {
                Reporter.journal("leak", "JFR events for response bodies unavailable: " + t);
            }
        }
        long nextTick = System.nanoTime() + TICK_NANOS;
        long nextHealth = healthNanos > 0 ? System.nanoTime() + healthNanos : Long.MAX_VALUE;
        while (true) {
            try {
                Reference<?> ref = tracker.queue().remove(250);
                while (ref != null) {
                    TrackedBody r = (TrackedBody) ref;
                    if (tracker.reap(r)) {
                        if (r.stack == null) {
                            shapes.arm(r); // so the site is named at its next leak
                        }
                        synchronized (leaks) {
                            leaks.add(r);
                        }
                        if (metered) {
                            countLeak(r);
                        }
                    }
                    ref = tracker.queue().poll();
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    nextTick = now + TICK_NANOS;
                    if (Jfr.AVAILABLE) {
                        Jfr.ready(); // notices a recording started since (jcmd, JMC), for the periodic events
                    }
                    reportLeaks(false);
                    reportHeld(now);
                    reportWithdrawals();
                    reportRefusals();
                    if (metered) {
                        MeterBindings.tick(now);
                    }
                }
                if (now - nextHealth >= 0 && health != null) {
                    nextHealth = now + healthNanos;
                    health.sample(healthNanos);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                Reporter.journal("leak", "leak watcher error (continuing): " + t);
                sleepQuietly();
            }
        }
    }

    /** From the closing thread: a body reported as held too long was closed after all. */
    void withdrawn(TrackedBody r, long closedNanos) {
        if (queuedWithdrawals.incrementAndGet() > MAX_WITHDRAWALS) {
            queuedWithdrawals.decrementAndGet();
            droppedWithdrawals.incrementAndGet();
            return;
        }
        withdrawals.add(new Withdrawal(r, closedNanos));
    }

    /** From the refusing thread: only queued, once per pool; the watcher writes it. */
    void poolRefused(String client, String pool, String refusal) {
        String key = client + " pool " + pool;
        if (refusedPools.size() >= MAX_POOLS || refusedPools.putIfAbsent(key, Boolean.TRUE) != null) {
            return;
        }
        refusals.add(new String[] {client, pool, refusal});
    }

    /**
     * A pool that starves is the symptom; the bodies its client never gave back are usually the cause. One sentence:
     * the pool, what it refused, how many of that client's bodies are open and the site most of them come from.
     */
    private void reportRefusals() {
        for (String[] r; (r = refusals.poll()) != null; ) {
            String client = r[0];
            List<Tallies.Tally> rows = liveRows();
            long open = 0;
            Map<String, Long> bySite = new LinkedHashMap<>();
            Map<String, Tallies.Tally> first = new LinkedHashMap<>();
            for (Tallies.Tally t : rows) {
                if (t.client != null && t.client.contains(client)) {
                    open += t.count;
                    bySite.merge(t.site, t.count, Long::sum);
                    first.putIfAbsent(t.site, t);
                }
            }
            String top = null;
            long most = 0;
            for (Map.Entry<String, Long> e : bySite.entrySet()) {
                if (e.getValue() > most) {
                    top = e.getKey();
                    most = e.getValue();
                }
            }
            if (Jfr.AVAILABLE) {
                LeakEvents.poolRefused(client, r[1], r[2], open, top, most);
            }
            Finding f = Finding.error(
                            "leak",
                            "pool:" + client + ":" + r[1],
                            refusalLine(client, r[1], r[2], open, top, most, top == null ? null : first.get(top)))
                    .with("kind", "pool-refused")
                    .with("client", client)
                    .with("pool", r[1])
                    .with("refusal", r[2])
                    .with("open", open)
                    .with("site", top)
                    .with("count", top == null ? null : most);
            Reporter.report(f);
            if (top != null) {
                journalStackOnce(first.get(top));
            }
        }
    }

    static String refusalLine(
            String client, String pool, String refusal, long open, String site, long atSite, Tallies.Tally example) {
        StringBuilder sb = new StringBuilder("connection pool '")
                .append(pool)
                .append("' (")
                .append(client)
                .append(") refused an acquire: ")
                .append(refusal)
                .append("; ");
        if (open == 0 || site == null) {
            return sb.append("no ")
                    .append(client)
                    .append(" response body is open, so its connections are busy with requests in flight:")
                    .append(" the pool is too small for the load or the server too slow")
                    .toString();
        }
        sb.append(BodyLine.plural(open, "response body", "response bodies")).append(" open, ");
        sb.append(atSite == open ? (open == 1 ? "from " : "all from ") : "most (" + atSite + ") from ")
                .append(site);
        if (example != null) {
            sb.append(" — ").append(example.request);
        }
        if (BodyLine.UNSAMPLED.equals(site)) {
            return sb.append("; leakStacks=always names the site").toString();
        }
        return sb.append("; fix that site: consume, release or cancel every response body, error responses too")
                .toString();
    }

    long heldReported() {
        return heldReported.get();
    }

    long untracked() {
        return tracker.untracked();
    }

    /**
     * Each tick: a JFR event per group with new bodies; a line for a site's first leaks at once, and for its later
     * ones at most once per {@link #PROGRESS_NANOS} with the running total (at exit: whatever is left), so the journal
     * and the application's log always tell how many leaked so far. These lines bypass the reporter's aggregation,
     * which would otherwise hold a site's later leaks until a line that may never come.
     */
    private void reportLeaks(boolean atExit) {
        long now = System.nanoTime();
        List<Tallies.Tally> events = new ArrayList<>();
        List<Long> batches = new ArrayList<>();
        List<Tallies.Tally> written = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        synchronized (leaks) {
            for (Tallies.Tally t : leaks.takeFresh()) {
                if (t.fresh > 0) {
                    events.add(t);
                    batches.add(t.fresh);
                    t.fresh = 0;
                }
                if (t.lineDue(now, PROGRESS_NANOS, atExit)) {
                    counts.add(t.lastLineNanos == 0 ? t.count : t.unreported);
                    lines.add(t.lastLineNanos == 0 ? leakLine(t) : progressLine(t, t.unreported)); // joins made strings
                    t.lineWritten(now);
                    written.add(t);
                }
            }
        }
        // Written outside the lock: the last words read the leak table, and a slow disk or log must not hold them up.
        // The events first: whoever reads the journal line (a test, a script about to stop the JVM) can rely on the
        // event being in the recording already.
        if (Jfr.AVAILABLE) {
            for (int i = 0; i < events.size(); i++) {
                LeakEvents.leak(events.get(i), batches.get(i));
            }
        }
        for (int i = 0; i < written.size(); i++) {
            Tallies.Tally t = written.get(i);
            Reporter.reportRateLimited(fields(Finding.error("leak", "leak:" + t.key, lines.get(i)), t)
                    .with("count", counts.get(i))
                    .with("total", t.count));
            journalStackOnce(t);
        }
    }

    /** The facts of a group of bodies as fields: where, which client, what request (URL redacted already). */
    static Finding fields(Finding f, Tallies.Tally t) {
        return f.with("site", t.site)
                .with("client", t.client)
                .with("method", t.method)
                .with("url", t.url)
                .with("status", t.status > 0 ? Integer.valueOf(t.status) : null);
    }

    static String leakLine(Tallies.Tally t) {
        StringBuilder sb = new StringBuilder();
        sb.append(BodyLine.plural(t.count, "response body", "response bodies"))
                .append(" leaked at ")
                .append(t.site)
                .append(" — ")
                .append(t.request)
                .append("; ");
        if (t.count == 1) {
            sb.append("obtained ").append(BodyLine.clock(t.firstNanos));
        } else {
            sb.append("first ")
                    .append(BodyLine.clock(t.firstNanos))
                    .append(", last ")
                    .append(BodyLine.clock(t.lastNanos));
        }
        return tail(sb, t);
    }

    /** {@code 37 response bodies leaked at X (total 100 since 14:02:11) — …}: a site's later leaks, with its running total. */
    static String progressLine(Tallies.Tally t, long batch) {
        StringBuilder sb = new StringBuilder();
        sb.append(BodyLine.plural(batch, "response body", "response bodies"))
                .append(" leaked at ")
                .append(t.site)
                .append(" (total ")
                .append(t.count)
                .append(" since ")
                .append(BodyLine.clock(t.firstNanos))
                .append(") — ")
                .append(t.request)
                .append("; last obtained ")
                .append(BodyLine.clock(t.lastNanos));
        return tail(sb, t);
    }

    private static String tail(StringBuilder sb, Tallies.Tally t) {
        sb.append("; never closed, now unreachable (GC-confirmed)");
        if (BodyLine.isError(t.status)) {
            sb.append("; an error response: its body must be closed on the error path too");
        }
        if (BodyLine.UNSAMPLED.equals(t.site)) {
            sb.append("; leakStacks=always names the site");
        }
        return sb.toString();
    }

    private void journalStackOnce(Tallies.Tally t) {
        synchronized (stackJournaled) {
            if (t.stack.isEmpty()
                    || stackJournaled.size() >= MAX_SITES
                    || stackJournaled.put(t.site, Boolean.TRUE) != null) {
                return;
            }
        }
        int rest = t.stack.indexOf('\n'); // the site itself heads the line already
        if (rest > 0) {
            Reporter.journal(
                    "leak",
                    "origin stack of bodies obtained at " + t.site + ": "
                            + t.stack.substring(rest + 3).replace("\n  ", " "));
        }
    }

    private void countLeak(TrackedBody r) {
        String c = Meters.clientTag(r.client);
        synchronized (leakedBy) {
            if (!leakClients.contains(c)) {
                if (leakClients.size() >= MAX_CLIENTS) {
                    c = "other";
                } else {
                    leakClients.add(c);
                }
            }
            leakedBy.merge(List.of(c, Meters.statusClass(r.status)), 1L, Long::sum);
        }
    }

    /** GC-confirmed leaks by {client, status class}, a copy. */
    Map<List<String>, Long> leakedByClientAndStatus() {
        synchronized (leakedBy) {
            return new LinkedHashMap<>(leakedBy);
        }
    }

    Map<String, Long> openByClient() {
        return openByClient;
    }

    /** From premain when the metrics option is on. */
    void metered() {
        metered = true;
    }

    private void reportHeld(long now) {
        Map<String, Long> byClient = metered ? new LinkedHashMap<>() : null;
        Consumer<TrackedBody> count = null;
        if (byClient != null) {
            for (String c : openByClient.keySet()) {
                byClient.put(c, 0L);
            }
            count = r -> {
                String c = Meters.clientTag(r.client);
                if (!byClient.containsKey(c) && byClient.size() >= MAX_CLIENTS) {
                    c = "other";
                }
                byClient.merge(c, 1L, Long::sum);
            };
        }
        List<TrackedBody> held = tracker.mark(r -> now - r.openedNanos >= heldNanos, TrackedBody.HELD, count);
        if (byClient != null) {
            openByClient = Collections.unmodifiableMap(byClient);
        }
        if (held.isEmpty()) {
            return;
        }
        heldReported.addAndGet(held.size());
        Tallies byKey = new Tallies(MAX_SITES);
        for (TrackedBody r : held) {
            byKey.add(r);
        }
        Reference.reachabilityFence(held);
        for (Tallies.Tally t : byKey.largestFirst()) {
            long oldest = now - t.firstNanos;
            String line = BodyLine.plural(t.count, "response body", "response bodies") + " open longer than "
                    + BodyLine.age(heldNanos)
                    + " at " + t.site + " — " + t.request + "; oldest " + BodyLine.age(oldest) + " (obtained "
                    + BodyLine.clock(t.firstNanos)
                    + "); a later close withdraws this"
                    + (BodyLine.isError(t.status) ? "; an error response: its body must be closed too" : "");
            if (Jfr.AVAILABLE) {
                LeakEvents.held(t, oldest / 1_000_000L, false);
            }
            Reporter.report(fields(Finding.warn("leak", "held:" + t.key, line), t)
                    .with("count", t.count)
                    .with("oldestMillis", oldest / 1_000_000L)
                    .with("heldAfterMillis", heldNanos / 1_000_000L));
            journalStackOnce(t);
        }
    }

    private void reportWithdrawals() {
        if (withdrawals.isEmpty()) {
            return;
        }
        Tallies byKey = new Tallies(MAX_SITES);
        Map<String, Long> longest = new LinkedHashMap<>();
        for (Withdrawal w; (w = withdrawals.poll()) != null; ) {
            queuedWithdrawals.decrementAndGet();
            Tallies.Tally t = byKey.add(w.body);
            if (t != null) {
                longest.merge(t.key, w.closedNanos - w.body.openedNanos, Math::max);
            }
        }
        for (Tallies.Tally t : byKey.largestFirst()) {
            long heldFor = longest.getOrDefault(t.key, 0L);
            String line = "withdrawn: " + BodyLine.plural(t.count, "response body", "response bodies")
                    + " reported as open longer than "
                    + BodyLine.age(heldNanos) + " at " + t.site + " " + (t.count == 1 ? "was" : "were")
                    + " closed after all, after "
                    + BodyLine.age(heldFor) + " — " + t.request;
            if (Jfr.AVAILABLE) {
                LeakEvents.held(t, heldFor / 1_000_000L, true);
            }
            Reporter.report(fields(Finding.info("leak", "withdrawn:" + t.key, line), t)
                    .with("count", t.count)
                    .with("heldMillis", heldFor / 1_000_000L));
        }
    }

    /** Open bodies grouped by site and request, largest group first. */
    List<Tallies.Tally> liveRows() {
        return liveRows(Long.MAX_VALUE).rows;
    }

    /** The groups of open bodies, and how many open bodies were left ungrouped when the budget ran out. */
    static final class LiveTable {
        final List<Tallies.Tally> rows;
        final long open;
        final long ungrouped;

        LiveTable(List<Tallies.Tally> rows, long open, long ungrouped) {
            this.rows = rows;
            this.open = open;
            this.ungrouped = ungrouped;
        }
    }

    /**
     * Groups open bodies until {@code budgetNanos} have passed, then only counts the rest. Grouping formats and
     * redacts each body's request, which a dying JVM runs cold (interpreted): 50,000 bodies took most of a second,
     * time the application's own shutdown hooks would have waited for.
     */
    LiveTable liveRows(long budgetNanos) {
        long start = System.nanoTime();
        Tallies live = new Tallies(MAX_SITES);
        List<TrackedBody> open = tracker.snapshot();
        long ungrouped = 0;
        for (int i = 0; i < open.size(); i++) {
            if ((i & 63) == 63 && budgetNanos != Long.MAX_VALUE && System.nanoTime() - start > budgetNanos) {
                ungrouped = open.size() - i;
                break;
            }
            live.add(open.get(i));
        }
        Reference.reachabilityFence(open);
        return new LiveTable(live.largestFirst(), open.size(), ungrouped);
    }

    /** The live table and the leak totals as lines for people: the Section, the journal dump and the exit summary. */
    List<String> lines() {
        return lines(Long.MAX_VALUE);
    }

    /** As {@link #lines()}, grouping open bodies for at most {@code budgetNanos}; the rest are counted, not grouped. */
    List<String> lines(long budgetNanos) {
        List<Finding> entries = entries(budgetNanos, "");
        List<String> out = new ArrayList<>(entries.size());
        for (Finding f : entries) {
            out.add(f.message());
        }
        return out;
    }

    /**
     * The same lines as journal-only findings, each message prefixed with {@code indent}, with fields for the JSON
     * journal: the open table's heading is kind {@code open-total} and its rows {@code open-site}, the leak totals'
     * {@code leak-total} and {@code leak-site}; notes have none.
     */
    List<Finding> entries(long budgetNanos, String indent) {
        long now = System.nanoTime();
        List<Finding> out = new ArrayList<>();
        LiveTable table = liveRows(budgetNanos);
        List<Tallies.Tally> rows = table.rows;
        out.add(entry(indent + BodyLine.plural(table.open, "response body", "response bodies") + " open"
                        + (rows.isEmpty() ? "" : ", by origin site:"))
                .with("kind", "open-total")
                .with("count", table.open));
        int shown = 0;
        for (Tallies.Tally t : rows) {
            if (shown++ == MAX_ROWS) {
                out.add(entry(indent + "  … and " + (rows.size() - MAX_ROWS) + " more sites"));
                break;
            }
            out.add(fields(
                            entry(indent + "  " + t.count + " at " + t.site + " — " + t.request + "; oldest "
                                    + BodyLine.age(now - t.firstNanos)
                                    + (t.count > 1 ? ", newest " + BodyLine.age(now - t.lastNanos) : "")
                                    + (BodyLine.isError(t.status) ? "; error response" : "")),
                            t)
                    .with("kind", "open-site")
                    .with("count", t.count)
                    .with("oldestMillis", (now - t.firstNanos) / 1_000_000L));
        }
        if (table.ungrouped > 0) {
            out.add(entry(indent + "  " + table.ungrouped + " more not grouped: grouping stops after "
                    + budgetNanos / 1_000_000L + " ms while the JVM shuts down, to keep the shutdown fast"));
        }
        synchronized (leaks) {
            long leaked = leaks.total();
            if (leaked > 0) {
                List<Tallies.Tally> sites = leaks.largestFirst();
                out.add(entry(indent + BodyLine.plural(leaked, "response body", "response bodies")
                                + " leaked since start (GC-confirmed), by origin site:")
                        .with("kind", "leak-total")
                        .with("count", leaked));
                int n = 0;
                for (Tallies.Tally t : sites) {
                    if (n++ == MAX_ROWS) {
                        out.add(entry(indent + "  … and " + (sites.size() - MAX_ROWS) + " more sites"));
                        break;
                    }
                    out.add(fields(
                                    entry(indent + "  " + t.count + " at " + t.site + " — " + t.request + "; first "
                                            + BodyLine.clock(t.firstNanos) + ", last " + BodyLine.clock(t.lastNanos)),
                                    t)
                            .with("kind", "leak-site")
                            .with("count", t.count));
                }
                if (leaks.overflow() > 0) {
                    out.add(entry(indent + "  " + leaks.overflow() + " more at sites beyond the first " + MAX_SITES
                            + " (not grouped)"));
                }
            }
        }
        out.add(entry(indent + limits()));
        return out;
    }

    private static Finding entry(String line) {
        return new Finding("leak", Finding.Severity.INFO, null, line);
    }

    /** Caps and what they dropped, so a reader knows whether the table is complete. */
    String limits() {
        ClientBodies c = clients;
        return "tracking: " + tracker.tracked() + " bodies tracked since start, peak " + tracker.peak()
                + " open at once (cap leakMaxOpen="
                + maxOpen + "), " + tracker.untracked() + " not tracked because the table was full, "
                + (c == null ? 0 : c.droppedPending()) + " request origins dropped, " + droppedWithdrawals.get()
                + " withdrawals dropped; stacks sampled " + stacks;
    }

    /** The three largest open groups, for the health warning. */
    String topSites(int n) {
        List<Tallies.Tally> rows = liveRows();
        if (rows.isEmpty()) {
            return "none tracked";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, rows.size()); i++) {
            Tallies.Tally t = rows.get(i);
            sb.append(i == 0 ? "" : "; ")
                    .append(t.count)
                    .append(" at ")
                    .append(t.site)
                    .append(" — ")
                    .append(t.request);
        }
        return sb.toString();
    }

    /** Writes the live table to the journal now; returns the lines. */
    List<String> dumpToJournal(String why) {
        List<Finding> entries = entries(Long.MAX_VALUE, "  ");
        Reporter.journal("leak", "open response bodies " + why + ":");
        List<String> lines = new ArrayList<>(entries.size());
        for (Finding f : entries) {
            Reporter.journal(f);
            lines.add(f.message().substring(2));
        }
        return lines;
    }

    /** Once, when the JVM goes (shutdown hook or Runtime.halt): still-open bodies by origin site, forced to disk. */
    void summarizeAtExit(String why) {
        if (!summarized.compareAndSet(false, true)) {
            return;
        }
        try {
            // Bodies the collector already found unreachable are leaks, not "still open".
            for (Reference<?> ref; (ref = tracker.queue().poll()) != null; ) {
                TrackedBody r = (TrackedBody) ref;
                if (tracker.reap(r)) {
                    synchronized (leaks) {
                        leaks.add(r);
                    }
                }
            }
            reportLeaks(true);
            if (tracker.tracked() > 0
                    || tracker.untracked() > 0) { // a process that never saw a body has nothing to summarise
                // beside the application's hooks, but the JVM waits for it
                List<Finding> entries = entries(EXIT_SUMMARY_BUDGET_NANOS, "  ");
                Reporter.journal(
                        new Finding("leak", Finding.Severity.INFO, null, "open response bodies at exit (" + why + "):")
                                .with("kind", "open-at-exit"));
                for (Finding f : entries) {
                    Reporter.journal(f);
                }
            }
        } finally {
            Reporter.flush();
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
