package dev.forensics.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One exit code per reason a command could not do its job, so a script can tell "wrong user" from "agent missing"
 * without parsing messages. README's exit-code table and every command's {@code --help} list exactly these.
 */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NO_SUCH_PROCESS = 3;
    static final int NOT_A_JVM = 4;
    static final int OTHER_USER = 5;
    static final int ATTACH_REFUSED = 6;
    static final int AGENT_JAR_NOT_FOUND = 7;
    static final int JVM_TOO_OLD = 8;
    static final int NO_AGENT = 9;
    static final int NOT_AVAILABLE = 10;

    static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        DESCRIPTIONS.put("0", "done");
        DESCRIPTIONS.put("1", "failed: the agent answered with an error or not in time, or a file could not be read");
        DESCRIPTIONS.put("2", "usage: bad arguments or bad agent options (nothing was sent to the JVM)");
        DESCRIPTIONS.put("3", "no such process, or no JVM with that name, or the JVM is exiting");
        DESCRIPTIONS.put("4", "the process is not a JVM");
        DESCRIPTIONS.put("5", "the JVM runs as another user: run forensics as that user (or root)");
        DESCRIPTIONS.put(
                "6", "attach refused: -XX:+DisableAttachMechanism, -XX:-EnableDynamicAgentLoading, or no answer");
        DESCRIPTIONS.put("7", "agent jar not found (forensics.jar next to forensics-cli.jar, or --agent)");
        DESCRIPTIONS.put("8", "the JVM is too old: the agent needs Java 17 or newer");
        DESCRIPTIONS.put("9", "no forensics agent in that JVM: run forensics attach first");
        DESCRIPTIONS.put("10", "the agent in that JVM lacks this: commands=off, or no JFR");
    }

    private ExitCodes() {}
}
