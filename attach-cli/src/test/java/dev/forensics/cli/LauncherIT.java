package dev.forensics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.testing.Jdk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code forensics} script finds a JDK and the jar beside it; every command explains itself and its exit codes. */
class LauncherIT {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void theLauncherRunsTheCliWithTheJdkFromJavaHome(Jdk jdk) throws Exception {
        Path cwd = Files.createTempDirectory("forensics-launcher-");
        Map<String, String> env = Map.of("JAVA_HOME", jdk.require().home().toString());
        Cli.Result version = Cli.exec(List.of(Cli.LAUNCHER.toString(), "--version"), cwd, env);
        assertThat(version.exit()).as(version.toString()).isZero();
        assertThat(version.stdout()).startsWith("forensics 0.1.0-SNAPSHOT on Java " + jdk.name());

        Cli.Result help = Cli.exec(List.of(Cli.LAUNCHER.toString(), "--help"), cwd, env);
        assertThat(help.exit()).as(help.toString()).isZero();
        assertThat(help.stdout()).contains("Usage: forensics").contains("list").contains("attach").contains("report")
                .contains("doctor").contains("jfr").contains("lastwords").contains("Exit codes:");
        for (String code : ExitCodes.DESCRIPTIONS.keySet()) {
            assertThat(help.stdout()).as("exit code " + code).containsPattern("(?m)^\\s+" + code + "\\s+" + java.util.regex.Pattern.quote(ExitCodes.DESCRIPTIONS.get(code).substring(0, Math.min(20, ExitCodes.DESCRIPTIONS.get(code).length()))));
        }

        Cli.Result none = Cli.exec(List.of(Cli.LAUNCHER.toString()), cwd, env);
        assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.stderr()).contains("name a command");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void everyCommandHasHelpWithExitCodesAndEveryDataCommandHasJson(Jdk jdk) throws Exception {
        Path cwd = Files.createTempDirectory("forensics-launcher-");
        for (List<String> command : List.of(List.of("list"), List.of("attach"), List.of("report"), List.of("doctor"), List.of("jfr"),
                List.of("jfr", "start"), List.of("jfr", "dump"), List.of("jfr", "stop"), List.of("lastwords"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.add("--help");
            Cli.Result r = Cli.run(jdk, cwd, args.toArray(new String[0]));
            assertThat(r.exit()).as(command + ": " + r).isZero();
            assertThat(r.stdout()).as(command.toString()).contains("Usage: forensics " + String.join(" ", command)).contains("Exit codes:");
            if (!command.equals(List.of("jfr"))) {
                assertThat(r.stdout()).as(command + " has --json").contains("--json");
            }
        }
    }
}
