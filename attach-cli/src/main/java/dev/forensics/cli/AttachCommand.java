package dev.forensics.cli;

import com.sun.tools.attach.VirtualMachine;
import dev.forensics.agent.AgentCommand;
import dev.forensics.agent.AgentMarker;
import dev.forensics.agent.AgentOptions;
import dev.forensics.report.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Loads the agent into a running JVM and shows its self-check. The option string is checked here, by the same
 * parser the agent uses, before anything reaches the JVM; a JVM that already runs the agent is left as it is.
 */
@Command(
        name = "attach",
        mixinStandardHelpOptions = true,
        description = {
            "Loads forensics.jar into a running JVM and prints what it installed (the agent's self-check) and where "
                    + "its output directory is. Loading twice is harmless: a JVM that already runs the agent keeps it, and its options.",
            "Java 21 and newer print a warning on the JVM's stderr when an agent is loaded into a running JVM (JEP 451); "
                    + "start the JVM with -XX:+EnableDynamicAgentLoading to allow it silently."
        })
final class AttachCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "<pid|main-class>",
            description = "The JVM: a pid, or its main class, Start-Class, launcher or jar as forensics list shows it.")
    String target;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "<options>",
            description =
                    "Agent options, key=value,… exactly as after -javaagent:forensics.jar= (see docs/options.md).")
    String options;

    @Option(
            names = "--agent",
            paramLabel = "PATH",
            description = "The forensics.jar to load (default: the one next to forensics-cli.jar).")
    Path agent;

    @Mixin
    Answers answers;

    @Override
    public Integer call() {
        String opts = options == null ? "" : options.strip();
        AgentOptions parsed = AgentOptions.parse(opts);
        if (!parsed.problems().isEmpty()) {
            StringBuilder keys = new StringBuilder();
            for (AgentOptions.Spec s : AgentOptions.SPECS) {
                keys.append(keys.length() == 0 ? "" : " ").append(s.key());
            }
            throw new CliException(
                    ExitCodes.USAGE,
                    "bad agent options, nothing was sent to the JVM: " + String.join("; ", parsed.problems())
                            + " (options: " + keys + ")");
        }
        Duration timeout = answers.timeout();
        Target t = Target.resolve(target);
        VirtualMachine vm = t.attach();
        AgentMarker marker;
        Path jar = null;
        int java;
        try {
            Properties props = t.requireJava17(t.properties(vm));
            java = Target.featureVersion(props.getProperty("java.specification.version"));
            marker = AgentMarker.parse(props.getProperty(AgentMarker.PROPERTY));
            if (marker == null) {
                jar = AgentJar.locate(agent);
                if (java >= 21) {
                    System.err.println(
                            "note: Java " + java
                                    + " prints a warning about a dynamically loaded agent on the stderr of pid " + t.pid
                                    + " unless it was started with -XX:+EnableDynamicAgentLoading (JEP 451); it is expected and harmless");
                }
                t.loadAgent(vm, jar, opts, java);
                marker = AgentMarker.parse(t.properties(vm).getProperty(AgentMarker.PROPERTY));
                if (marker == null) {
                    throw new CliException(
                            ExitCodes.FAILED,
                            "the agent did not start in pid " + t.pid + "; that JVM's stderr says why");
                }
            }
        } finally {
            Target.detach(vm);
        }
        boolean loadedNow = jar != null;
        String status;
        String statusProblem = null;
        try {
            Duration wait = timeout.minusSeconds(2).compareTo(Duration.ofSeconds(1)) < 0
                    ? Duration.ofSeconds(1)
                    : timeout.minusSeconds(2).compareTo(Duration.ofSeconds(60)) > 0
                            ? Duration.ofSeconds(60)
                            : timeout.minusSeconds(2);
            status = Mailbox.ask(
                            t,
                            marker,
                            AgentCommand.of("status", "format", answers.format(), "wait", wait.toMillis() + "ms"),
                            timeout)
                    .body();
        } catch (CliException e) {
            if (e.exitCode() != ExitCodes.NOT_AVAILABLE) {
                throw e;
            }
            status = null;
            statusProblem = e.getMessage();
        }
        if (answers.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", t.pid);
            m.put("loadedNow", loadedNow);
            m.put("agentJar", jar == null ? null : jar.toString());
            m.put("version", marker.version());
            m.put("loaded", marker.loaded());
            m.put("dir", marker.dir().toString());
            m.put("optionsIgnored", !loadedNow && !opts.isEmpty());
            m.put("statusProblem", statusProblem);
            String head = Json.write(m);
            System.out.println(head.substring(0, head.length() - 1) + ",\"status\":"
                    + (status == null ? "null" : status.strip()) + "}");
            return ExitCodes.OK;
        }
        if (loadedNow) {
            System.out.println("loaded " + jar + " into pid " + t.pid + " (Java " + java + ")");
        } else {
            System.out.println("forensics " + marker.version() + " already runs in pid " + t.pid + " (loaded "
                    + ("startup".equals(marker.loaded()) ? "at startup" : "by attach") + "); nothing was loaded again");
            if (!opts.isEmpty()) {
                System.out.println("the options given (" + opts
                        + ") were not applied: an agent keeps the options it started with");
            }
        }
        if (status != null) {
            System.out.print(status);
        } else {
            System.out.println("output directory: " + marker.dir());
            System.out.println(
                    "self-check not available: " + statusProblem + " (the journal in the output directory has it)");
        }
        return ExitCodes.OK;
    }
}
