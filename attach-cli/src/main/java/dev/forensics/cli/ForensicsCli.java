package dev.forensics.cli;

import dev.forensics.report.Printable;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code forensics} command: what the agent knows about a JVM that is already running, on this machine, as the
 * JVM's own user, the way jcmd works. Each subcommand is one class; failures become one {@code forensics:} line on
 * stderr and a documented exit code.
 */
@Command(
        name = "forensics",
        mixinStandardHelpOptions = true,
        versionProvider = ForensicsCli.Version.class,
        description = {
            "Looks into running JVMs on this machine: loads the forensics agent, asks it for its report, its doctor's "
                    + "risks or a JFR recording, and prints last words. Run it as the JVM's user (or root), like jcmd."
        },
        subcommands = {
            ListCommand.class,
            AttachCommand.class,
            ReportCommand.class,
            DoctorCommand.class,
            JfrCommand.class,
            LastWordsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class ForensicsCli implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "name a command: list, attach, report, doctor, jfr or lastwords");
    }

    public static void main(String[] args) {
        int code;
        try {
            code = execute(args);
        } catch (NoClassDefFoundError e) {
            if (!String.valueOf(e.getMessage()).contains("com/sun/tools/attach")) {
                throw e;
            }
            System.err.println(
                    "forensics: this Java runtime has no jdk.attach module; run forensics with a full JDK (set JAVA_HOME)");
            code = ExitCodes.FAILED;
        }
        System.exit(code);
    }

    static int execute(String... args) {
        CommandLine cl = new CommandLine(new ForensicsCli());
        withExitCodes(cl);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof CliException) {
                err.println("forensics: " + Printable.line(ex.getMessage())); // may quote the target's own text
                err.flush();
                return ((CliException) ex).exitCode();
            }
            err.println("forensics: internal error: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return ExitCodes.FAILED;
        });
        return cl.execute(args);
    }

    private static void withExitCodes(CommandLine cl) {
        cl.getCommandSpec()
                .usageMessage()
                .exitCodeListHeading("%nExit codes:%n")
                .exitCodeList(ExitCodes.DESCRIPTIONS);
        for (CommandLine sub : cl.getSubcommands().values()) {
            withExitCodes(sub);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ForensicsCli.class.getPackage().getImplementationVersion();
            return new String[] {"forensics " + (v == null ? "dev" : v) + " on Java " + Runtime.version()};
        }
    }
}
