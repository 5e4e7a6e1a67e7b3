package dev.forensics.report;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets before anything is written: URL userinfo and query/fragment values, credential headers, and
 * secret-looking arguments of command lines. Written for hostile input: it never throws and never parses with
 * {@link java.net.URI}, which rejects exactly the malformed URLs that carry secrets in odd places.
 */
public final class Redaction {
    public static final String MASK = "***";
    private static volatile boolean enabled = true;

    /** Compiled on first use, not at start-up: regex compilation costs milliseconds premain does not have. */
    private static final class Patterns {
        private static final Pattern SECRET_NAME = Pattern.compile(
                "(?i).*(pass(word|wd|phrase)?|secret|token|api[-_.]?key|apikey|auth|credential|private[-_.]?key|access[-_.]?key|session|cookie|signature|sig)$");
        // --password=x, -Dx.password=x, token=x, PASSWORD:x inside one argument.
        private static final Pattern ARG_ASSIGNMENT = Pattern.compile(
                "(?i)((?:^|[\\s;&?])-{0,2}(?:[\\w.-]*?)(?:pass(?:word|wd|phrase)?|secret|token|api[-_.]?key|apikey|credentials?|private[-_.]?key|access[-_.]?key)\\s*[=:]\\s*)([^\\s&;]+)");
        private static final Pattern AUTH_HEADER = Pattern.compile(
                "(?i)((?:proxy-)?authorization\\s*[:=]\\s*)(\\S+(?:\\s+\\S+)?)");
        private static final Pattern URL_USERINFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)([^/?#@\\s]+)@");
    }

    private Redaction() {}

    public static void setEnabled(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** A URL with userinfo and every query and fragment value replaced by {@value #MASK}. */
    public static String url(String url) {
        if (url == null || !enabled) {
            return url;
        }
        try {
            String s = Patterns.URL_USERINFO.matcher(url).replaceFirst("$1" + MASK + "@");
            int q = indexOfAny(s, '?', '#');
            if (q < 0) {
                return s;
            }
            StringBuilder out = new StringBuilder(s.length());
            out.append(s, 0, q);
            int i = q;
            while (i < s.length()) {
                char sep = s.charAt(i); // '?', '&', ';' or '#'
                out.append(sep);
                int end = i + 1;
                while (end < s.length() && "&;#".indexOf(s.charAt(end)) < 0) {
                    end++;
                }
                String param = s.substring(i + 1, end);
                int eq = param.indexOf('=');
                if (eq >= 0) {
                    out.append(param, 0, eq + 1).append(param.length() > eq + 1 ? MASK : "");
                } else if (!param.isEmpty()) {
                    // A bare value (?abcdef or #token) is as likely to be a secret as a named one.
                    out.append(param.length() <= 16 && isPlainWord(param) && sep != '#' ? param : MASK);
                }
                i = end;
            }
            return out.toString();
        } catch (RuntimeException e) {
            return MASK;
        }
    }

    /** The header's value, or {@value #MASK} when the header carries credentials. */
    public static String header(String name, String value) {
        if (!enabled || name == null) {
            return value;
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("authorization") || n.equals("proxy-authorization") || n.equals("cookie") || n.equals("set-cookie")
                || Patterns.SECRET_NAME.matcher(n).matches()) {
            return MASK;
        }
        return value;
    }

    /**
     * A command line (arguments joined by spaces) with secrets removed: {@code --password=x}, {@code token=x},
     * {@code --password x}, {@code Authorization: Bearer x}, and userinfo of URLs.
     */
    public static String commandLine(String[] args) {
        if (args == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        boolean maskNext = false;
        for (String arg : args) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (maskNext && enabled) {
                sb.append(MASK);
                maskNext = false;
                continue;
            }
            String a = text(arg);
            sb.append(a);
            if (enabled && arg.startsWith("-") && arg.indexOf('=') < 0 && Patterns.SECRET_NAME.matcher(arg.replaceFirst("^-+", "")).matches()) {
                maskNext = true; // --password hunter2
            }
        }
        return sb.toString();
    }

    /** Free text (a command line, an exception message): secret assignments, auth headers and URL userinfo. */
    public static String text(String s) {
        if (s == null || !enabled) {
            return s;
        }
        try {
            String out = Patterns.AUTH_HEADER.matcher(s).replaceAll("$1" + MASK);
            out = Patterns.URL_USERINFO.matcher(out).replaceAll("$1" + MASK + "@");
            Matcher m = Patterns.ARG_ASSIGNMENT.matcher(out);
            return m.replaceAll("$1" + Matcher.quoteReplacement(MASK));
        } catch (RuntimeException e) {
            return MASK;
        }
    }

    private static boolean isPlainWord(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isLetter(c)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        if (i < 0) {
            return j;
        }
        return j < 0 ? i : Math.min(i, j);
    }
}
