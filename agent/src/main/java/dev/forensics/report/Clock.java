package dev.forensics.report;

import java.util.TimeZone;

/**
 * Local timestamps for the journal and file names, formatted by hand. The first use of {@code java.time}'s
 * formatters costs 15 to 20 ms (pattern parsing, the zone-rules provider and its service lookup, tzdb), and the
 * first journal line is often written by a JVM that is ending; {@link TimeZone#getOffset(long)} costs a few.
 */
public final class Clock {
    private Clock() {}

    /** {@code 2026-11-21 09:26:10.509 +0000}, the journal's form (DateTimeFormatter {@code yyyy-MM-dd HH:mm:ss.SSS xx}). */
    public static String timestamp(long epochMillis) {
        int offset = TimeZone.getDefault().getOffset(epochMillis);
        long[] f = fields(epochMillis + offset);
        StringBuilder sb = new StringBuilder(30);
        pad(sb, f[0], 4).append('-');
        pad(sb, f[1], 2).append('-');
        pad(sb, f[2], 2).append(' ');
        pad(sb, f[3], 2).append(':');
        pad(sb, f[4], 2).append(':');
        pad(sb, f[5], 2).append('.');
        pad(sb, f[6], 3).append(' ');
        int minutes = Math.abs(offset) / 60_000;
        sb.append(offset < 0 ? '-' : '+');
        pad(sb, minutes / 60, 2);
        return pad(sb, minutes % 60, 2).toString();
    }

    /**
     * {@code 2026-11-21 09:26:10.509123 +0000}: the journal's form with microseconds, for the last words
     * (DateTimeFormatter {@code yyyy-MM-dd HH:mm:ss.SSSSSS xx}, whose first use loads some 160 classes).
     */
    public static String timestampMicros(long epochSecond, int nanos) {
        long millis = epochSecond * 1000 + nanos / 1_000_000;
        String t = timestamp(millis);
        StringBuilder sb = new StringBuilder(t.length() + 3);
        int space = t.lastIndexOf(' ');
        sb.append(t, 0, space);
        pad(sb, nanos / 1000 % 1000, 3);
        return sb.append(t, space, t.length()).toString();
    }

    /** {@code 2026-12-04T21:16:59.123Z}: RFC 3339 in UTC with milliseconds, for the JSON journal. */
    public static String iso(long epochMillis) {
        long[] f = fields(epochMillis);
        StringBuilder sb = new StringBuilder(24);
        pad(sb, f[0], 4).append('-');
        pad(sb, f[1], 2).append('-');
        pad(sb, f[2], 2).append('T');
        pad(sb, f[3], 2).append(':');
        pad(sb, f[4], 2).append(':');
        pad(sb, f[5], 2).append('.');
        return pad(sb, f[6], 3).append('Z').toString();
    }

    /** {@code 09:26:10.509}, local time of day. */
    public static String timeOfDay(long epochMillis) {
        long[] f = fields(epochMillis + TimeZone.getDefault().getOffset(epochMillis));
        StringBuilder sb = new StringBuilder(12);
        pad(sb, f[3], 2).append(':');
        pad(sb, f[4], 2).append(':');
        pad(sb, f[5], 2).append('.');
        return pad(sb, f[6], 3).toString();
    }

    /** {@code 20261121-092610-509}, local time, for file names. */
    public static String compact(long epochMillis) {
        long[] f = fields(epochMillis + TimeZone.getDefault().getOffset(epochMillis));
        StringBuilder sb = new StringBuilder(19);
        pad(sb, f[0], 4);
        pad(sb, f[1], 2);
        pad(sb, f[2], 2).append('-');
        pad(sb, f[3], 2);
        pad(sb, f[4], 2);
        pad(sb, f[5], 2).append('-');
        return pad(sb, f[6], 3).toString();
    }

    /** Year, month, day, hour, minute, second, millisecond of a local epoch-millisecond count (proleptic Gregorian). */
    static long[] fields(long localMillis) {
        long days = Math.floorDiv(localMillis, 86_400_000L);
        long ms = Math.floorMod(localMillis, 86_400_000L);
        // civil_from_days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms")
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long day = doy - (153 * mp + 2) / 5 + 1;
        long month = mp < 10 ? mp + 3 : mp - 9;
        long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
        return new long[] {year, month, day, ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000};
    }

    private static StringBuilder pad(StringBuilder sb, long value, int width) {
        String s = Long.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }
}
