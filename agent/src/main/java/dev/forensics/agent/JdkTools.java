package dev.forensics.agent;

/**
 * {@code JAVA_TOOL_OPTIONS=-javaagent:…} reaches every JVM, including jcmd, jps, jstack and javac run by hand
 * next to the service. An agent in those would print, create files and slow the tool down for nothing.
 */
final class JdkTools {
    private static final String[] TOOL_PREFIXES = {
        "sun.tools.", "com.sun.tools.", "jdk.internal.", "jdk.jfr.internal.tool.", "sun.security.tools.",
        "jdk.jshell.", "sun.rmi.registry.", "jdk.jpackage.", "jdk.tools.", "sun.jvm.hotspot.",
    };

    private JdkTools() {}

    static boolean isJdkTool() {
        return isJdkToolMain(System.getProperty("sun.java.command", ""));
    }

    /** {@code sun.java.command} is "main args…" or "module/main args…"; a jar launch names the jar. */
    static boolean isJdkToolMain(String command) {
        String main = command.trim();
        int space = main.indexOf(' ');
        if (space >= 0) {
            main = main.substring(0, space);
        }
        int slash = main.indexOf('/');
        if (slash >= 0 && !main.endsWith(".jar")) {
            String module = main.substring(0, slash);
            main = main.substring(slash + 1);
            if (module.startsWith("jdk.") && !module.equals("jdk.httpserver")) {
                return true;
            }
        }
        for (String prefix : TOOL_PREFIXES) {
            if (main.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
