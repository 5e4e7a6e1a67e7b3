package dev.forensics.cli;

import dev.forensics.agent.AgentCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** The risks the agent's doctor finds in a running JVM, examined when asked. */
@Command(
        name = "doctor",
        mixinStandardHelpOptions = true,
        description = {
            "Prints the start-up risks the agent's doctor found in a running JVM (login session scope, systemd "
                    + "Restart=, PID 1, -Xrs, …), each with its fix, examined now inside that JVM (also when it started with doctor=off)."
        })
final class DoctorCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "<pid|main-class>",
            description = "The JVM: a pid, or its main class, Start-Class, launcher or jar.")
    String target;

    @Mixin
    Answers answers;

    @Override
    public Integer call() {
        return ReportCommand.ask(target, answers, AgentCommand.of("doctor", "format", answers.format()));
    }
}
