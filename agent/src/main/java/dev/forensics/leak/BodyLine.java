package dev.forensics.leak;

import dev.forensics.report.Clock;
import dev.forensics.report.Redaction;
import dev.forensics.report.Sites;
import dev.forensics.report.Text;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a tracked body reads in a report: its origin site, {@code POST https://host/path?key=*** → 500}, the client and
 * how the body was obtained. URLs are rendered and redacted here, on the reporting thread, never when a body is
 * tracked; a small cache keeps a leaking loop from redacting the same URL a hundred thousand times, and no lock is held
 * while a URL is redacted.
 */
final class BodyLine {
    static final String UNSAMPLED = "an unsampled call site";
    private static final long START_NANOS = System.nanoTime();
    private static final long START_MILLIS = System.currentTimeMillis();
    private static final int CACHE = 512;
    private static final int MAX_INTERNED = 4096;
    private static final java.util.concurrent.ConcurrentHashMap<String, String> INTERNED =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static boolean internFull; // plain: a thread that sees it late only looks up a few more times
    private static final Map<String, String> REDACTED = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > CACHE;
        }
    };

    private BodyLine() {}

    /** The origin site, or {@link #UNSAMPLED} when the stack was not sampled. */
    static String site(TrackedBody r) {
        StackTraceElement e = r.site();
        return e == null ? UNSAMPLED : Sites.frame(e);
    }

    /**
     * Up to {@link Origin#MAX_FRAMES} frames, one per line, or empty: the site, then {@code via} each library frame it
     * called through (nearest first), then {@code from} its callers.
     */
    static String stack(TrackedBody r) {
        if (r.stack == null) {
            return "";
        }
        StackTraceElement[] frames = r.stack.frames();
        int via = r.stack.via();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < frames.length; i++) {
            sb.append(i == 0 ? "" : i <= via ? "\n  via " : "\n  from ").append(Sites.frame(frames[i]));
        }
        return sb.toString();
    }

    /**
     * The request URL with userinfo and query values masked and identifier-like path segments (numbers, UUIDs, long
     * hex or token strings) shown as {@code {id}}, so {@code /users/123} and {@code /users/456} are one group.
     */
    static String url(TrackedBody r) {
        String raw = r.url == null ? null : r.url.toString();
        if (raw == null) {
            return "(unknown URL)";
        }
        String cached;
        synchronized (REDACTED) {
            cached = REDACTED.get(raw);
        }
        if (cached == null) {
            // Outside the lock: the last words and the exit summary wait for it, and a URL costs time to redact.
            cached = shape(Redaction.url(raw));
            if (raw.length() <= Redaction.MAX_CHARS) { // a huge key would keep megabytes alive in the cache
                synchronized (REDACTED) {
                    REDACTED.put(raw, cached);
                }
            }
        }
        return cached;
    }

    /** Replaces identifier-like path segments of an (already redacted) URL by {@code {id}}. */
    static String shape(String url) {
        int start = url.indexOf("://");
        start = start < 0 ? 0 : url.indexOf('/', start + 3);
        if (start < 0) {
            return url;
        }
        int end = url.length();
        for (int i = start; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        StringBuilder sb = new StringBuilder(url.length()).append(url, 0, start);
        int i = start;
        while (i < end) {
            int next = url.indexOf('/', i + 1);
            if (next < 0 || next > end) {
                next = end;
            }
            String segment = url.substring(i + 1, next);
            sb.append('/').append(isIdentifier(segment) ? "{id}" : segment);
            i = next;
        }
        return sb.append(url, end, url.length()).toString();
    }

    private static boolean isIdentifier(String s) {
        if (s.isEmpty()) {
            return false;
        }
        int digits = 0;
        int hexOrToken = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (Character.isLetter(c) || c == '-' || c == '_') {
                hexOrToken++;
            } else {
                return false;
            }
        }
        return digits == s.length() || (digits > 0 && s.length() >= 16);
    }

    /**
     * One shared copy of each URL string (up to {@value #MAX_INTERNED}): a body holds its URL, and a service calls the
     * same URLs over and over, so tracking a thousand bodies of one endpoint costs one string, not a thousand. Once the
     * table is full the service's URLs are mostly unique (ids in paths or queries), every lookup would miss, and a
     * lookup (hashing a new string, probing a table of thousands) was the largest single item of the agent's
     * per-request profile in such a loop: then the string is kept as it is, unlooked-up.
     */
    static String intern(String url) {
        if (url == null || internFull) {
            return url;
        }
        String shared = INTERNED.get(url);
        if (shared != null) {
            return shared;
        }
        if (INTERNED.size() >= MAX_INTERNED) {
            internFull = true;
            return url;
        }
        shared = INTERNED.putIfAbsent(url, url);
        return shared != null ? shared : url;
    }

    /** The URL of a client that keeps host and path apart (Apache), interned. */
    static String url(Object target, Object host) {
        return intern(rawUrl(target, host));
    }

    static String rawUrl(Object target, Object host) {
        if (target == null) {
            return host == null ? null : String.valueOf(host);
        }
        String t = String.valueOf(target);
        if (host == null || t.startsWith("http://") || t.startsWith("https://")) {
            return t;
        }
        String h = hostText(host);
        return t.startsWith("/") ? h + t : h + "/" + t;
    }

    /** The last host rendered, with its text: a service calls few hosts, and Apache builds an equal HttpHost per request. */
    private static volatile HostText lastHost;

    /**
     * Weak, and no strong reference to the host's class either: a host object of a web application's loader must not
     * pin that loader after it is undeployed.
     */
    private static final class HostText extends java.lang.ref.WeakReference<Object> {
        final String text;

        HostText(Object host, String text) {
            super(host);
            this.text = text;
        }
    }

    /**
     * {@code scheme://host:port} of a client's host object. Rendering Apache's {@code HttpHost} formats a new string on
     * every call (and was the largest agent item left in the Apache 5 loop's profile), so an equal host of the same class
     * reuses the last text; {@code equals} of a host type compares its fields and allocates nothing.
     */
    static String hostText(Object host) {
        HostText last = lastHost;
        Object seen = last == null ? null : last.get();
        if (seen != null && seen.getClass() == host.getClass() && seen.equals(host)) {
            return last.text;
        }
        String h = String.valueOf(host);
        if (!h.contains("://")) {
            h = "http://" + h;
        }
        lastHost = new HostText(host, h);
        return h;
    }

    /** {@code POST https://api.example.com/v1/chat → 500 (JDK HttpClient, ofInputStream)}. */
    static String request(TrackedBody r) {
        return (r.method == null ? "?" : r.method) + " " + url(r) + " → "
                + (r.status > 0 ? Integer.toString(r.status) : "?") + " (" + r.client + ", " + r.kind + ")";
    }

    /** What aggregates findings: the same site and the same request shape. */
    static String key(TrackedBody r) {
        return site(r) + " — " + request(r);
    }

    static boolean isError(int status) {
        return status >= 400;
    }

    static long wallMillis(long nanos) {
        return START_MILLIS + (nanos - START_NANOS) / 1_000_000L;
    }

    static String clock(long nanos) {
        return Clock.timeOfDay(wallMillis(nanos)).substring(0, 8); // HH:mm:ss, by hand: no DateTimeFormatter
    }

    /** 850ms, 12s, 3m05s, 2h10m. */
    static String age(long nanos) {
        long ms = nanos / 1_000_000L;
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + Text.pad(s % 60, 2) + "s";
        }
        return (s / 3600) + "h" + Text.pad((s % 3600) / 60, 2) + "m";
    }

    static String plural(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
