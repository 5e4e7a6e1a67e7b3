package dev.forensics.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the forensics.jar to load: the one named with {@code --agent}, else the one beside forensics-cli.jar
 * (an installation), else the agent module's build output (this repository: {@code ../../agent/target/}).
 */
final class AgentJar {
    private AgentJar() {}

    static Path locate(Path explicit) {
        List<Path> tried = new ArrayList<>();
        if (explicit != null) {
            Path p = explicit.toAbsolutePath().normalize();
            if (!Files.isRegularFile(p)) {
                throw new CliException(ExitCodes.AGENT_JAR_NOT_FOUND, "no agent jar at " + p);
            }
            return checked(p);
        }
        Path home = cliHome();
        if (home != null) {
            for (Path p :
                    new Path[] {home.resolve("forensics.jar"), home.resolve("../../agent/target/forensics.jar")}) {
                Path n = p.toAbsolutePath().normalize();
                tried.add(n);
                if (Files.isRegularFile(n)) {
                    return checked(n);
                }
            }
        }
        throw new CliException(
                ExitCodes.AGENT_JAR_NOT_FOUND,
                "forensics.jar not found (looked at " + tried
                        + "); put it next to forensics-cli.jar or name it with --agent PATH");
    }

    private static Path checked(Path jar) {
        if (Proc.agentVersion(jar) == null) {
            throw new CliException(
                    ExitCodes.AGENT_JAR_NOT_FOUND,
                    jar + " is not the forensics agent (its manifest has no Agent-Class " + Proc.AGENT_CLASS + ")");
        }
        return jar;
    }

    /** The directory holding forensics-cli.jar (or the classes directory when run from the build). */
    static Path cliHome() {
        try {
            Path code = Paths.get(AgentJar.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return code.getParent();
        } catch (Exception e) {
            return null;
        }
    }
}
