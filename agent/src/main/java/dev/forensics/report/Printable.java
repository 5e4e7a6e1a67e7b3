package dev.forensics.report;

/**
 * Text as it may leave the agent: one line with no control characters. Exception messages and a signal sender's
 * arguments are written by others; raw, an ANSI sequence could forge a verdict on an operator's terminal and a newline
 * could split "the first line is the verdict". Every sink (journal, stderr, the application's log, last words, black
 * box) passes its text through here, so the code that composes lines need not care.
 */
public final class Printable {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Printable() {}

    /**
     * The text with C0 and C1 control characters, DEL, Unicode line separators and bidirectional overrides written as
     * visible escapes ({@code \n}, {@code \x1b}, {@code \u202e}); a tab stays. Returns the same string when it is clean.
     */
    public static String line(String s) {
        if (s == null) {
            return "null";
        }
        int i = 0;
        while (i < s.length() && !needsEscape(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!needsEscape(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c < 0x100) {
                out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append("\\u")
                        .append(HEX[c >> 12])
                        .append(HEX[(c >> 8) & 0xf])
                        .append(HEX[(c >> 4) & 0xf])
                        .append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    static boolean needsEscape(char c) {
        if (c < 0x20) {
            return c != '\t';
        }
        if (c < 0x7f) {
            return false;
        }
        return c <= 0x9f // DEL and the C1 controls (0x9b is a one-byte CSI on some terminals)
                || c == 0x2028
                || c == 0x2029 // line and paragraph separators
                || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069) // bidirectional embeddings, overrides, isolates
                || c == 0x200e
                || c == 0x200f
                || c == 0x061c; // direction marks
    }
}
