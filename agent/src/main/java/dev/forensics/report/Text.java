package dev.forensics.report;

/**
 * The few number forms findings use, by hand: {@code String.format} loads about ninety classes on first use, and the
 * agent's start-up and dying paths are where that would be paid.
 */
public final class Text {
    private Text() {}

    /** One decimal, rounded half up: {@code 1.5}, {@code 12.0}. */
    public static String oneDecimal(double v) {
        long tenths = Math.round(Math.abs(v) * 10);
        return (v < 0 && tenths != 0 ? "-" : "") + tenths / 10 + "." + tenths % 10;
    }

    /** A whole number, rounded half up: {@code 42}. */
    public static String whole(double v) {
        return Long.toString(Math.round(v));
    }

    /** At least {@code width} digits, zeros in front. */
    public static String pad(long v, int width) {
        String s = Long.toString(v);
        StringBuilder sb = new StringBuilder(width);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s).toString();
    }

    /** Sixteen hex digits, as {@code %016x}. */
    public static String hex16(long v) {
        String s = Long.toHexString(v);
        return "0000000000000000".substring(s.length()) + s;
    }

    /** The running JDK's version string, as {@code Runtime.version()} prints it, without parsing it (a regex). */
    public static String jdkVersion() {
        String v = System.getProperty("java.runtime.version");
        return v != null ? v : String.valueOf(System.getProperty("java.version"));
    }

    /** The running JDK's feature release (17, 25), without {@code Runtime.version()}. */
    public static int jdkFeature() {
        String s = System.getProperty("java.specification.version", "17");
        try {
            return Integer.parseInt(s.startsWith("1.") ? s.substring(2) : s);
        } catch (NumberFormatException e) {
            return 17;
        }
    }

    /** The n-th (from 0) field of a line of fields separated by spaces or tabs, as /proc files have them; "" if none. */
    public static String field(String line, int n) {
        String[] f = fields(line);
        return n < f.length ? f[n] : "";
    }

    /** The fields of a line separated by spaces or tabs, as /proc files have them; no regex on the start-up path. */
    public static String[] fields(String line) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        int i = 0;
        int len = line.length();
        while (true) {
            while (i < len && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                i++;
            }
            int start = i;
            while (i < len && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
                i++;
            }
            if (start == i) {
                return out.toArray(new String[0]);
            }
            out.add(line.substring(start, i));
        }
    }
}
