package dev.forensics.cli;

import dev.forensics.agent.AgentCommand;
import dev.forensics.agent.AgentMarker;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Asks a running agent for everything it knows now; it answers through its requests directory. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Prints what the agent in a running JVM knows now: its self-check, health figures (uptime, heap, threads, "
                    + "open files, RSS), the findings so far, and every feature's current state (open response bodies by site, "
                    + "leaks, broken-pipe loops, start-up risks … as far as this agent version has them)."
        })
final class ReportCommand implements Callable<Integer> {
    @Parameters(
            index = "0",
            paramLabel = "<pid|main-class>",
            description = "The JVM: a pid, or its main class, Start-Class, launcher or jar.")
    String target;

    @Mixin
    Answers answers;

    @Override
    public Integer call() {
        return ask(target, answers, AgentCommand.of("report", "format", answers.format()));
    }

    /** The common path of report, doctor and jfr: find the JVM, find its agent, ask, print the answer. */
    static int ask(String target, Answers answers, AgentCommand command) {
        String problem = command.problem();
        if (problem != null) {
            throw new CliException(ExitCodes.USAGE, problem);
        }
        java.time.Duration timeout = answers.timeout();
        Target t = Target.resolve(target);
        AgentMarker marker = t.requireAgent(t.properties());
        // The answer quotes what others wrote (exception messages, a sender's arguments, URLs): escaped like last
        // words.
        System.out.print(LastWordsCommand.printable(
                Mailbox.ask(t, marker, command, timeout).body()));
        System.out.flush();
        return ExitCodes.OK;
    }
}
