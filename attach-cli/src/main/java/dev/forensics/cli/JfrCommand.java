package dev.forensics.cli;

import dev.forensics.agent.AgentCommand;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A JFR recording with forensics.jfc, run by the agent inside the JVM rather than through jcmd: the settings come
 * from the same jar that emits the forensics events, dumps are written owner-only, and it uses the same request
 * channel as report (jcmd's JFR.start would need the jfc as a file the JVM's user can read, and writes dumps
 * world-readable).
 */
@Command(
        name = "jfr",
        mixinStandardHelpOptions = true,
        description = {
            "Starts, dumps or stops a JFR recording named 'forensics' made with forensics.jfc in a JVM that runs the "
                    + "agent. Files are written by the JVM, owner-only; open them in JDK Mission Control or with 'jfr print'."
        },
        subcommands = {JfrCommand.Start.class, JfrCommand.Dump.class, JfrCommand.Stop.class})
final class JfrCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name one of: start, dump, stop");
    }

    static String absolute(Path file) {
        return file == null ? null : file.toAbsolutePath().normalize().toString();
    }

    @Command(
            name = "start",
            mixinStandardHelpOptions = true,
            description = {
                "Starts the recording (bounded by --max-age and --max-size). With --file it is also written there "
                        + "when stopped or when the JVM exits."
            })
    static final class Start implements Callable<Integer> {
        @Parameters(
                index = "0",
                paramLabel = "<pid|main-class>",
                description = "The JVM: a pid, or its main class, Start-Class, launcher or jar.")
        String target;

        @Option(
                names = "--file",
                paramLabel = "F",
                description = "Where the JVM writes the recording when it stops or exits.")
        Path file;

        @Option(names = "--max-age", paramLabel = "DURATION", description = "Oldest data kept (default 24h).")
        String maxAge;

        @Option(names = "--max-size", paramLabel = "SIZE", description = "Most data kept, e.g. 256m (default 256m).")
        String maxSize;

        @Mixin
        Answers answers;

        @Override
        public Integer call() {
            return ReportCommand.ask(
                    target,
                    answers,
                    AgentCommand.of(
                            "jfr-start",
                            "format",
                            answers.format(),
                            "file",
                            absolute(file),
                            "maxAge",
                            maxAge,
                            "maxSize",
                            maxSize));
        }
    }

    @Command(
            name = "dump",
            mixinStandardHelpOptions = true,
            description = {
                "Writes what the recording holds so far; it keeps recording. Default file: "
                        + "recording-<pid>-<time>.jfr in the agent's output directory."
            })
    static final class Dump implements Callable<Integer> {
        @Parameters(
                index = "0",
                paramLabel = "<pid|main-class>",
                description = "The JVM: a pid, or its main class, Start-Class, launcher or jar.")
        String target;

        @Option(
                names = "--file",
                paramLabel = "F",
                description = "Where the JVM writes the dump (relative to this directory).")
        Path file;

        @Mixin
        Answers answers;

        @Override
        public Integer call() {
            return ReportCommand.ask(
                    target, answers, AgentCommand.of("jfr-dump", "format", answers.format(), "file", absolute(file)));
        }
    }

    @Command(
            name = "stop",
            mixinStandardHelpOptions = true,
            description = {
                "Stops the recording and writes it: to --file, to the file given at start, or to "
                        + "recording-<pid>-<time>.jfr in the agent's output directory."
            })
    static final class Stop implements Callable<Integer> {
        @Parameters(
                index = "0",
                paramLabel = "<pid|main-class>",
                description = "The JVM: a pid, or its main class, Start-Class, launcher or jar.")
        String target;

        @Option(
                names = "--file",
                paramLabel = "F",
                description = "Where the JVM writes the recording (relative to this directory).")
        Path file;

        @Mixin
        Answers answers;

        @Override
        public Integer call() {
            return ReportCommand.ask(
                    target, answers, AgentCommand.of("jfr-stop", "format", answers.format(), "file", absolute(file)));
        }
    }
}
