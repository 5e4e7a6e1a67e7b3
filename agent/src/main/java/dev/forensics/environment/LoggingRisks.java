package dev.forensics.environment;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Logging frameworks that stop themselves in a shutdown hook of their own. JVM shutdown hooks run concurrently
 * and in no fixed order, so once that hook has stopped the appenders, whatever the application (or forensics,
 * through SLF4J) logs during the rest of the shutdown is lost. Found by class presence in the class loaders that have
 * appeared (the system loader's class path, nested jars) and a look at the configuration file, which is all that is
 * cheap at start-up.
 */
final class LoggingRisks {
    static final String LOG4J_CORE = "org/apache/logging/log4j/core/LoggerContext.class";
    static final String LOGBACK = "ch/qos/logback/classic/LoggerContext.class";
    private static final List<String> LOG4J_CONFIGS = List.of(
            "log4j2-test.properties",
            "log4j2-test.yaml",
            "log4j2-test.yml",
            "log4j2-test.json",
            "log4j2-test.jsn",
            "log4j2-test.xml",
            "log4j2.properties",
            "log4j2.yaml",
            "log4j2.yml",
            "log4j2.json",
            "log4j2.jsn",
            "log4j2.xml");
    private static final List<String> LOGBACK_CONFIGS = List.of("logback-test.xml", "logback.xml");
    /** Compiled only when a logging library is there: most JVMs never load the regex engine for the doctor. */
    private static final class Patterns {
        /** shutdownHook="disable" (XML), shutdownHook = disable (properties), "shutdownHook": "disable" (JSON/YAML). */
        static final Pattern LOG4J_HOOK_DISABLED = Pattern.compile("(?i)shutdownHook\"?\\s*[=:]\\s*[\"']?disable");

        static final Pattern LOG4J_HOOK_PROPERTY_OFF =
                Pattern.compile("(?im)^\\s*log4j2?\\.(is)?shutdownHookEnabled\\s*[=:]\\s*false\\s*$");
        static final Pattern LOGBACK_HOOK = Pattern.compile("(?i)<\\s*shutdownHook\\b");
    }

    private LoggingRisks() {}

    /**
     * @param resource reads a class-path resource's text ("" for a class file that exists), null when absent
     * @param property a system property of the process
     */
    static void check(Function<String, String> resource, Function<String, String> property, List<Risk> risks) {
        if (resource.apply(LOG4J_CORE) != null) {
            log4j(resource, property, risks);
        }
        if (resource.apply(LOGBACK) != null) {
            logback(resource, property, risks);
        }
    }

    private static void log4j(Function<String, String> resource, Function<String, String> property, List<Risk> risks) {
        for (String p :
                new String[] {"log4j2.shutdownHookEnabled", "log4j.shutdownHookEnabled", "log4j2.isShutdownHookEnabled"
                }) {
            if ("false".equalsIgnoreCase(property.apply(p))) {
                return;
            }
        }
        String component = resource.apply("log4j2.component.properties");
        if (component != null
                && Patterns.LOG4J_HOOK_PROPERTY_OFF.matcher(component).find()) {
            return;
        }
        String[] config =
                config(resource, property, LOG4J_CONFIGS, "log4j2.configurationFile", "log4j.configurationFile");
        if (config[1] != null && Patterns.LOG4J_HOOK_DISABLED.matcher(config[1]).find()) {
            return;
        }
        risks.add(Risk.warn(
                "log4j2-shutdown-hook",
                "Log4j 2 stops in its own shutdown hook: lines logged during shutdown are lost",
                "Log4j 2 (log4j-core) is on the class path with its shutdown hook enabled ("
                        + (config[0] == null ? "default configuration" : config[0])
                        + "): it stops the appenders in a hook of its own, concurrently with the application's hooks, so lines logged later in the shutdown are lost.",
                "Set shutdownHook=\"disable\" on <Configuration> (or log4j2.shutdownHookEnabled=false) and call LogManager.shutdown() as the last step of "
                        + "your own shutdown; forensics writes its last words to its own files either way.",
                "class path: " + LOG4J_CORE + (config[0] == null ? "" : ", " + config[0])));
    }

    private static void logback(
            Function<String, String> resource, Function<String, String> property, List<Risk> risks) {
        String[] config = config(resource, property, LOGBACK_CONFIGS, "logback.configurationFile");
        if (config[1] == null || !Patterns.LOGBACK_HOOK.matcher(config[1]).find()) {
            return; // logback registers no hook unless <shutdownHook/> asks for one
        }
        risks.add(Risk.warn(
                "logback-shutdown-hook",
                "Logback stops in its own shutdown hook: lines logged during shutdown are lost",
                "Logback is configured with <shutdownHook> (" + config[0]
                        + "): it stops the logger context in a hook of its own, concurrently with "
                        + "the application's hooks, so lines logged later in the shutdown are lost.",
                "Remove <shutdownHook/> and stop the context ((LoggerContext) LoggerFactory.getILoggerFactory()).stop() as the last step of your own shutdown.",
                "class path: " + LOGBACK + ", " + config[0]));
    }

    /** The configuration in use: {name, text}; a property naming a file or resource wins over the defaults. */
    private static String[] config(
            Function<String, String> resource,
            Function<String, String> property,
            List<String> defaults,
            String... keys) {
        for (String key : keys) {
            String v = property.apply(key);
            if (v != null && !v.isBlank()) {
                String first = v.split(",")[0].trim();
                String path = first.startsWith("file:") ? first.substring(5) : first;
                String text = Host.read(java.nio.file.Paths.get(path));
                if (text == null) {
                    text = resource.apply(first.startsWith("classpath:") ? first.substring(10) : first);
                }
                return new String[] {key + "=" + first, text};
            }
        }
        for (String name : defaults) {
            String text = resource.apply(name);
            if (text != null) {
                return new String[] {name, text};
            }
        }
        return new String[] {null, null};
    }
}
