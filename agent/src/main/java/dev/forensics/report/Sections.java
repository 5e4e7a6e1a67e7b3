package dev.forensics.report;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where features register their {@link Section}s. Readers (last words, the CLI report) call every section and
 * survive any one of them failing: a broken section becomes one line saying so.
 */
public final class Sections {
    private static final List<Section> SECTIONS = new CopyOnWriteArrayList<>();

    private Sections() {}

    public static void register(Section s) {
        SECTIONS.add(s);
    }

    /** Each section's title and lines, skipping empty ones; never throws. */
    public static List<String> render() {
        return render(Long.MAX_VALUE);
    }

    /** As {@link #render()}, each section spending at most {@code budgetNanos} (see {@link Section#linesWithin}). */
    public static List<String> render(long budgetNanos) {
        List<String> out = new ArrayList<>();
        for (Section s : SECTIONS) {
            try {
                List<String> lines = budgetNanos == Long.MAX_VALUE ? s.lines() : s.linesWithin(budgetNanos);
                if (lines != null && !lines.isEmpty()) {
                    out.add(s.title() + ":");
                    for (String l : lines) {
                        out.add("  " + l);
                    }
                }
            } catch (Throwable t) {
                out.add(safeTitle(s) + ": unavailable (" + t + ")");
            }
        }
        return out;
    }

    public static List<Section> all() {
        return List.copyOf(SECTIONS);
    }

    private static String safeTitle(Section s) {
        try {
            return s.title();
        } catch (Throwable t) {
            return s.getClass().getName();
        }
    }
}
