package dev.forensics.report;

import java.util.Locale;

/**
 * Removes secrets before anything is written: URL userinfo, query/fragment values and token-like path segments,
 * credential headers, and secret-looking arguments of command lines. Written for hostile input: it never throws,
 * never parses with {@link java.net.URI} (which rejects exactly the malformed URLs that carry secrets in odd places),
 * uses no regular expression (a backtracking pattern is quadratic on a long run of letters), and looks at no more
 * than {@value #MAX_CHARS} characters of one URL, argument or message: the rest is cut and its length said.
 */
public final class Redaction {
    public static final String MASK = "***";
    /** What one URL, argument or message keeps; a longer one is cut here (a few KB: no honest URL is longer). */
    public static final int MAX_CHARS = 4096;
    /** What one command line keeps in all. */
    static final int MAX_COMMAND_LINE = 4 * MAX_CHARS;

    /** A name ending with one of these holds a secret ({@code --db-password=}, {@code API_KEY=}, {@code -Ddb.pwd=}). */
    private static final String[] SECRET_SUFFIXES = {
        "pass",
        "passwd",
        "password",
        "passphrase",
        "pwd",
        "secret",
        "token",
        "apikey",
        "api-key",
        "api_key",
        "api.key",
        "credential",
        "credentials",
        "privatekey",
        "private-key",
        "private_key",
        "private.key",
        "accesskey",
        "access-key",
        "access_key",
        "access.key",
        "auth",
        "authorization",
        "session",
        "sessionid",
        "session-id",
        "session_id",
        "session.id",
        "cookie",
        "signature",
        "sig",
    };
    /** A name containing one of these anywhere holds a secret ({@code -Dsecret.value=}, {@code password.file=}). */
    private static final String[] SECRET_PARTS = {"secret", "password", "passwd"};

    private static volatile boolean enabled = true;

    private Redaction() {}

    public static void setEnabled(boolean on) {
        enabled = on;
    }

    public static boolean enabled() {
        return enabled;
    }

    /**
     * A URL with userinfo, every query and fragment value and token-like path segments (JWTs, long random strings)
     * replaced by {@value #MASK}; cut at {@value #MAX_CHARS} characters.
     */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        boolean cut = url.length() > MAX_CHARS;
        String s = cut ? url.substring(0, MAX_CHARS) : url;
        if (!enabled) {
            return cut ? s + cutNote(url.length()) : s;
        }
        try {
            StringBuilder out = new StringBuilder(s.length() + 32);
            int pathStart = userinfo(s, 0, s.length(), cut, out);
            int q = pathStart;
            while (q < s.length() && s.charAt(q) != '?' && s.charAt(q) != '#') {
                q++;
            }
            path(s, pathStart, q, out);
            query(s, q, out);
            if (cut) {
                out.append(cutNote(url.length()));
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
        if (n.equals("set-cookie") || isSecretName(n)) {
            return MASK;
        }
        return value;
    }

    /**
     * A command line (arguments joined by spaces) with secrets removed: {@code --password=x}, {@code token=x},
     * {@code --password x}, {@code -pSECRET}, {@code Authorization: Bearer x}, {@code --header=X-Api-Key:x}, userinfo of
     * URLs and {@code user/password@} of JDBC URLs. Each argument is cut at {@value #MAX_CHARS} characters, the whole
     * line at {@value #MAX_COMMAND_LINE}.
     */
    public static String commandLine(String[] args) {
        if (args == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        boolean maskNext = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i] == null ? "" : args[i];
            if (sb.length() > MAX_COMMAND_LINE) {
                sb.append(" … (").append(args.length - i).append(" more arguments cut)");
                break;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (maskNext && enabled) {
                sb.append(MASK);
                maskNext = false;
                continue;
            }
            sb.append(text(arg));
            if (enabled
                    && arg.length() > 1
                    && arg.length() < 256
                    && arg.charAt(0) == '-'
                    && arg.indexOf('=') < 0
                    && !isMysqlPassword(arg, 0, arg.length())
                    && isSecretName(stripDashes(arg).toLowerCase(Locale.ROOT))) {
                maskNext = true; // --password hunter2
            }
        }
        return sb.toString();
    }

    /**
     * Free text (a command line, an exception message): auth headers, secret assignments, URL userinfo and JDBC
     * credentials; cut at {@value #MAX_CHARS} characters.
     */
    public static String text(String s) {
        if (s == null) {
            return null;
        }
        boolean cut = s.length() > MAX_CHARS;
        String in = cut ? s.substring(0, MAX_CHARS) : s;
        if (!enabled) {
            return cut ? in + cutNote(s.length()) : in;
        }
        try {
            String headersMasked = authHeaders(in);
            StringBuilder out = new StringBuilder(headersMasked.length() + 32);
            boolean maskNext = false;
            int i = 0;
            int n = headersMasked.length();
            while (i < n) {
                int start = i;
                while (i < n && Character.isWhitespace(headersMasked.charAt(i))) {
                    i++;
                }
                out.append(headersMasked, start, i);
                int tokenStart = i;
                while (i < n && !Character.isWhitespace(headersMasked.charAt(i))) {
                    i++;
                }
                if (tokenStart == i) {
                    break;
                }
                if (maskNext) {
                    out.append(MASK);
                    maskNext = false;
                    continue;
                }
                if (isMysqlPassword(headersMasked, tokenStart, i)) {
                    out.append("-p").append(MASK);
                    continue;
                }
                maskNext = token(headersMasked, tokenStart, i, cut && i == n, out);
            }
            if (cut) {
                out.append(cutNote(s.length()));
            }
            return out.toString();
        } catch (RuntimeException e) {
            return MASK;
        }
    }

    /** What a cut leaves in place of the rest: the original length, so a reader knows how much is missing. */
    static String cutNote(int length) {
        return "… (cut: " + length + " chars)";
    }

    // ---- the pieces, each one pass over its part of the input ----

    /**
     * Copies {@code s[from, to)} up to the end of its URL authority, with userinfo masked; returns where the path
     * starts. Userinfo is everything up to the last '@' of the authority, so an '@' inside a password
     * ({@code https://u:p@ss:x@host}) hides all of it. When the authority runs into a cut, it is masked whole: its '@'
     * may lie beyond what was kept.
     */
    private static int userinfo(String s, int from, int to, boolean runsIntoCut, StringBuilder out) {
        int colon = s.indexOf("://", from);
        if (colon < 0 || colon >= to || !isScheme(s, from, colon)) {
            return from;
        }
        int authority = colon + 3;
        int end = authority;
        int lastAt = -1;
        while (end < to) {
            char c = s.charAt(end);
            if (c == '/' || c == '?' || c == '#') {
                break;
            }
            if (c == '@') {
                lastAt = end;
            }
            end++;
        }
        out.append(s, from, authority);
        if (end == to && runsIntoCut) {
            out.append(MASK);
        } else if (lastAt >= 0) {
            out.append(MASK).append(s, lastAt, end);
        } else {
            out.append(s, authority, end);
        }
        return end;
    }

    /** A scheme ends at {@code colon}: letters, digits, '+', '-', '.' after a letter, starting at {@code from} or a non-scheme character. */
    private static boolean isScheme(String s, int from, int colon) {
        int i = colon;
        while (i > from && isSchemeChar(s.charAt(i - 1))) {
            i--;
        }
        return i < colon && isAsciiLetter(s.charAt(i));
    }

    private static boolean isSchemeChar(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Path segments, with the token-like ones masked. */
    private static void path(String s, int from, int to, StringBuilder out) {
        int i = from;
        while (i < to) {
            int next = s.indexOf('/', i + 1);
            if (next < 0 || next > to) {
                next = to;
            }
            if (s.charAt(i) != '/') { // a URL without a path: the rest up to the query as it is
                out.append(s, i, next);
            } else {
                out.append('/');
                if (isToken(s, i + 1, next)) {
                    out.append(MASK);
                } else {
                    out.append(s, i + 1, next);
                }
            }
            i = next;
        }
    }

    /**
     * A path segment that is a credential rather than a name: a JWT ({@code eyJ…}, base64 of '{"'), or a long random
     * string: at least 20 characters of a token alphabet mixing upper case, lower case and digits, switching between
     * them often (a camel-case name switches rarely). UUIDs and hex ids are not tokens: they stay for grouping.
     */
    static boolean isToken(String s, int from, int to) {
        int len = to - from;
        if (len >= 10 && s.startsWith("eyJ", from)) {
            return true;
        }
        if (len < 20) {
            return false;
        }
        int upper = 0;
        int lower = 0;
        int digits = 0;
        int switches = 0;
        int lastClass = -1;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            int cls;
            if (c >= 'A' && c <= 'Z') {
                upper++;
                cls = 0;
            } else if (c >= 'a' && c <= 'z') {
                lower++;
                cls = 1;
            } else if (c >= '0' && c <= '9') {
                digits++;
                cls = 2;
            } else if (c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '=' || c == '%') {
                continue;
            } else {
                return false;
            }
            if (lastClass >= 0 && cls != lastClass) {
                switches++;
            }
            lastClass = cls;
        }
        return upper > 0 && lower > 0 && digits > 0 && switches * 3 >= len;
    }

    /** Query and fragment from {@code s[q]} ('?' or '#') on: every value masked, a bare short word kept. */
    private static void query(String s, int q, StringBuilder out) {
        int i = q;
        while (i < s.length()) {
            char sep = s.charAt(i); // '?', '&', ';' or '#'
            out.append(sep);
            int end = i + 1;
            while (end < s.length() && "&;#".indexOf(s.charAt(end)) < 0) {
                end++;
            }
            int eq = i + 1;
            while (eq < end && s.charAt(eq) != '=') {
                eq++;
            }
            if (eq < end) {
                out.append(s, i + 1, eq + 1).append(end > eq + 1 ? MASK : "");
            } else if (end > i + 1) {
                // A bare value (?abcdef or #token) is as likely to be a secret as a named one.
                out.append(
                        end - i - 1 <= 16 && isPlainWord(s, i + 1, end) && sep != '#' ? s.substring(i + 1, end) : MASK);
            }
            i = end;
        }
    }

    /**
     * {@code Authorization: Bearer x} and {@code Proxy-Authorization=Basic x}: the scheme and the credential after the
     * header name are masked. One pass: a lower-case copy is searched for the name.
     */
    private static String authHeaders(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.length() != s.length()) {
            // A character whose lower case has another length: positions would not line up (no header has one).
            return s;
        }
        int at = lower.indexOf("authorization");
        if (at < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int copied = 0;
        while (at >= 0) {
            int j = at + "authorization".length();
            j = skipSpaces(s, j);
            if (j < s.length() && (s.charAt(j) == ':' || s.charAt(j) == '=')) {
                j = skipSpaces(s, j + 1);
                int value = j;
                j = skipWord(s, j);
                if (j > value) {
                    int afterSpace = skipSpaces(s, j);
                    int second = skipWord(s, afterSpace);
                    if (afterSpace > j && second > afterSpace) {
                        j = second; // "Bearer abc": the scheme and its credential
                    }
                    out.append(s, copied, value).append(MASK);
                    copied = j;
                }
            }
            at = lower.indexOf("authorization", Math.max(j, at + 1));
        }
        return out.append(s, copied, s.length()).toString();
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipWord(String s, int i) {
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * One whitespace-free token of free text: URL userinfo, JDBC {@code user/password@}, then every
     * {@code name=value} or {@code name:value} inside it whose name holds a secret. Returns true when the token ends
     * with a secret name and its separator ({@code X-Api-Key:}), so the next token is the value.
     */
    private static boolean token(String s, int from, int to, boolean runsIntoCut, StringBuilder out) {
        StringBuilder t = new StringBuilder(to - from + 8);
        int rest = userinfo(s, from, to, runsIntoCut, t);
        t.append(s, rest, to);
        String tok = jdbcCredentials(t.toString());
        int nameStart = 0;
        int i = 0;
        int n = tok.length();
        int copied = 0;
        while (i < n) {
            char c = tok.charAt(i);
            if (c == '=' || c == ':') {
                if (i > nameStart && isSecretName(tok.substring(nameStart, i).toLowerCase(Locale.ROOT))) {
                    int valueEnd = i + 1;
                    while (valueEnd < n && tok.charAt(valueEnd) != '&' && tok.charAt(valueEnd) != ';') {
                        valueEnd++;
                    }
                    if (valueEnd == i + 1 && valueEnd == n) {
                        out.append(tok, copied, n);
                        return true;
                    }
                    out.append(tok, copied, i + 1).append(valueEnd > i + 1 ? MASK : "");
                    copied = valueEnd;
                    i = valueEnd;
                    nameStart = i + 1;
                    continue;
                }
                nameStart = i + 1;
            } else if (c == ';' || c == '&' || c == '?' || c == ',' || c == '"' || c == '\'' || c == '(' || c == '['
                    || c == '{') {
                nameStart = i + 1;
            }
            i++;
        }
        out.append(tok, copied, n);
        return false;
    }

    /** {@code jdbc:oracle:thin:scott/tiger@db} → {@code jdbc:oracle:thin:scott/***@db}. */
    private static String jdbcCredentials(String tok) {
        int jdbc = indexOfIgnoreCase(tok, "jdbc:");
        if (jdbc < 0) {
            return tok;
        }
        int at = tok.indexOf('@', jdbc);
        if (at < 0) {
            return tok;
        }
        int start = tok.lastIndexOf(':', at);
        String cred = tok.substring(start + 1, at);
        int slash = cred.indexOf('/');
        if (start < jdbc || slash <= 0 || cred.startsWith("//")) {
            return tok;
        }
        return tok.substring(0, start + 1 + slash + 1) + MASK + tok.substring(at);
    }

    private static int indexOfIgnoreCase(String s, String lowerNeedle) {
        return s.length() < lowerNeedle.length()
                ? -1
                : s.toLowerCase(Locale.ROOT).indexOf(lowerNeedle);
    }

    /**
     * MySQL's and many tools' {@code -pSECRET}: "-p" glued to its value. A value of lower-case letters only
     * ({@code -parallel}, {@code -pl}, {@code -proc:none}) is an option, not a password.
     */
    private static boolean isMysqlPassword(String s, int from, int to) {
        if (to - from < 3 || !s.startsWith("-p", from) || s.charAt(from + 2) == '-') {
            return false;
        }
        for (int i = from + 2; i < to; i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || c == ':' || c == '-')) {
                return true;
            }
        }
        return false;
    }

    /** Lower case: does the name of an option, property, header or parameter say it holds a secret? */
    static boolean isSecretName(String lowerName) {
        String n = stripDashes(lowerName);
        if (n.isEmpty() || n.length() > 256) {
            return false;
        }
        for (String suffix : SECRET_SUFFIXES) {
            if (n.endsWith(suffix)) {
                return true;
            }
        }
        for (String part : SECRET_PARTS) {
            if (n.contains(part)) {
                return true;
            }
        }
        return false;
    }

    private static String stripDashes(String s) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == '-') {
            i++;
        }
        return s.substring(i);
    }

    private static boolean isPlainWord(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isLetter(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
