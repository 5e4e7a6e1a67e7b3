package dev.forensics.cli;

import dev.forensics.agent.AgentCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** The start-up risks the agent's doctor found in a running JVM, or a clear statement that its agent has no doctor. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Prints the start-up risks the agent's doctor found in a running JVM (login session scope, systemd "
                + "Restart=, PID 1, -Xrs, …), each with its fix. Says so, with exit code 10, when the agent in that JVM has no doctor."})
final class DoctorCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "<pid|main-class>", description = "The JVM: a pid, or its main class or jar.")
    String target;

    @Mixin
    Answers answers;

    @Override
    public Integer call() {
        return ReportCommand.ask(target, answers, AgentCommand.of("doctor", "format", answers.format()));
    }
}
