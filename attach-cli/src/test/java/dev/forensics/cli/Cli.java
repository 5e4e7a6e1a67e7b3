package dev.forensics.cli;

import dev.forensics.testing.Jdk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the built {@code forensics-cli.jar} as its own process, with a given JDK's {@code java -jar}, as a user would. */
final class Cli {
    static final Path JAR = Paths.get(System.getProperty("forensics.cli", "target/forensics-cli.jar")).toAbsolutePath();
    static final Path LAUNCHER = Paths.get(System.getProperty("forensics.launcher", "target/forensics")).toAbsolutePath();

    record Result(int exit, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout:\n" + stdout + "--- stderr:\n" + stderr;
        }
    }

    private Cli() {}

    static Result run(Jdk jdk, Path cwd, String... args) {
        List<String> cmd = new ArrayList<>(List.of(jdk.require().java().toString(), "-jar", JAR.toString()));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd, cwd);
    }

    static Result exec(List<String> cmd, Path cwd) {
        return exec(cmd, cwd, java.util.Map.of());
    }

    static Result exec(List<String> cmd, Path cwd, java.util.Map<String, String> env) {
        return exec(cmd, cwd, env, 90);
    }

    /** Runs the CLI with a limit of its own: a CLI that hangs fails the test after {@code limitSeconds}. */
    static Result runWithin(int limitSeconds, Jdk jdk, Path cwd, String... args) {
        List<String> cmd = new ArrayList<>(List.of(jdk.require().java().toString(), "-jar", JAR.toString()));
        cmd.addAll(Arrays.asList(args));
        return exec(cmd, cwd, java.util.Map.of(), limitSeconds);
    }

    static Result exec(List<String> cmd, Path cwd, java.util.Map<String, String> env, int limitSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("_JAVA_OPTIONS");
            pb.environment().putAll(env);
            Path out = Files.createTempFile("forensics-cli-out-", ".txt");
            Path err = Files.createTempFile("forensics-cli-err-", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("forensics " + cmd + " did not end within " + limitSeconds + " s");
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
