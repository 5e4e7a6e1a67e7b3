package dev.forensics.report;

/**
 * Stack frames as a person reads them, and which frames are the agent's own (skipped when naming who did
 * something). Agent packages are listed one by one: {@code dev.forensics.*} as a whole would also hide an
 * application or test that happens to live under that name.
 */
public final class Sites {
    private static final String[] AGENT_PACKAGES = {
        "dev.forensics.agent.", "dev.forensics.bootstrap.", "dev.forensics.instrument.", "dev.forensics.leak.",
        "dev.forensics.pipe.", "dev.forensics.termination.", "dev.forensics.environment.", "dev.forensics.report.",
        "dev.forensics.shaded.", "dev.forensics.blackbox.",
    };

    private Sites() {}

    public static boolean isAgentFrame(String className) {
        if (!className.startsWith("dev.forensics.")) {
            return false;
        }
        for (String p : AGENT_PACKAGES) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** {@code com.acme.Proxy.relay(Proxy.java:88)}, the form IDEs and stack traces use. */
    public static String frame(StackTraceElement e) {
        String file = e.getFileName();
        String where = file == null ? "Unknown Source" : e.getLineNumber() >= 0 ? file + ":" + e.getLineNumber() : file;
        return e.getClassName() + "." + e.getMethodName() + "(" + where + ")";
    }
}
