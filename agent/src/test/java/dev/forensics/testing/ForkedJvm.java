package dev.forensics.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A target JVM forked with the real {@code forensics.jar}: a class from the test sources as main, output captured
 * to files, signals sent by a separate {@code kill} process, and the agent's journal read back. Loopback only.
 */
public final class ForkedJvm implements AutoCloseable {
    public static final Path AGENT_JAR = Paths.get(System.getProperty("forensics.jar", "target/forensics.jar")).toAbsolutePath();
    public static final Path JFC = Paths.get(System.getProperty("forensics.jfc", "target/forensics.jfc")).toAbsolutePath();

    private final Process process;
    private final Path workDir;
    private final Path dir;
    private final Path stdout;
    private final Path stderr;
    private final long pid;
    private final List<Process> readers = new ArrayList<>();

    private ForkedJvm(Process process, Path workDir, Path dir, Path stdout, Path stderr) {
        this.process = process;
        this.workDir = workDir;
        this.dir = dir;
        this.stdout = stdout;
        this.stderr = stderr;
        this.pid = process.pid();
    }

    public static Builder on(Jdk jdk) {
        return new Builder(jdk.require());
    }

    public static final class Builder {
        private final Jdk jdk;
        private String agentOptions = "";
        private boolean agent = true;
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String mainClass;
        private Path jar;
        private Path workDir;
        private Path dir;
        private List<String> wrapper = List.of();
        private String classpath;
        private boolean stdinFromNull = true;
        private List<String> stdoutReader;
        private boolean stderrPiped;

        private Builder(Jdk jdk) {
            this.jdk = jdk;
        }

        /** Options after {@code forensics.jar=}; {@code dir=} is added unless given. */
        public Builder agentOptions(String options) {
            this.agentOptions = options;
            return this;
        }

        public Builder noAgent() {
            this.agent = false;
            return this;
        }

        public Builder jvmArg(String... a) {
            jvmArgs.addAll(Arrays.asList(a));
            return this;
        }

        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        public Builder workDir(Path d) {
            this.workDir = d;
            return this;
        }

        /** The agent's output directory; defaults to {@code <workDir>/out}. */
        public Builder dir(Path d) {
            this.dir = d;
            return this;
        }

        /** Runs the JVM under a wrapper command such as {@code nohup} or {@code setsid}. */
        public Builder wrappedBy(String... command) {
            this.wrapper = Arrays.asList(command);
            return this;
        }

        public Builder classpath(String cp) {
            this.classpath = cp;
            return this;
        }

        /**
         * Pipes the JVM's stdout into a reader process such as {@code head -n 1} (whose own output goes to the stdout
         * file), as {@code java … | head -n 1} would: when the reader exits, the JVM's writes to fd 1 fail with EPIPE.
         */
        public Builder stdoutPipedTo(String... readerCommand) {
            this.stdoutReader = Arrays.asList(readerCommand);
            return this;
        }

        /** Leaves the JVM's stderr a pipe to this test, read with {@link ForkedJvm#readStderrLineThenHangUp()}. */
        public Builder stderrPiped() {
            this.stderrPiped = true;
            return this;
        }

        /** Records a JFR file with forensics.jfc, dumped when the JVM exits. */
        public Builder recording(Path jfr) {
            return jvmArg("-XX:StartFlightRecording:settings=" + JFC + ",filename=" + jfr + ",dumponexit=true");
        }

        public ForkedJvm start(Class<?> main, String... mainArgs) {
            return start(main.getName(), mainArgs);
        }

        /** {@code java -jar <jar> args…}, as a Spring Boot fat jar is run. */
        public ForkedJvm startJar(Path jar, String... mainArgs) {
            this.jar = jar;
            return start((String) null, mainArgs);
        }

        private ForkedJvm start(String main, String... mainArgs) {
            this.mainClass = main;
            args.addAll(Arrays.asList(mainArgs));
            try {
                Path wd = workDir != null ? workDir : Files.createTempDirectory("forensics-it-");
                Path out = dir != null ? dir : wd.resolve("out");
                List<String> cmd = new ArrayList<>(wrapper);
                cmd.add(jdk.java().toString());
                if (agent) {
                    String opts = agentOptions.contains("dir=") ? agentOptions
                            : "dir=" + out + (agentOptions.isEmpty() ? "" : "," + agentOptions);
                    // The doctor would read the machine running the tests (an SSH session, a container) and report its
                    // risks; targets run without it unless a test names doctor= or points envRoot= at a fixture.
                    if (!opts.contains("doctor=") && !opts.contains("envRoot=")) {
                        opts += ",doctor=off";
                    }
                    cmd.add("-javaagent:" + AGENT_JAR + "=" + opts);
                }
                cmd.add("-Xshare:auto");
                cmd.addAll(jvmArgs);
                if (jar != null) {
                    cmd.add("-jar");
                    cmd.add(jar.toString());
                } else {
                    cmd.add("-cp");
                    cmd.add(classpath != null ? classpath : targetClasspath());
                    cmd.add(mainClass);
                }
                cmd.addAll(args);
                ProcessBuilder pb = new ProcessBuilder(cmd).directory(wd.toFile());
                pb.environment().remove("JAVA_TOOL_OPTIONS");
                pb.environment().remove("_JAVA_OPTIONS");
                pb.environment().putAll(env);
                Path so = wd.resolve("stdout.txt");
                Path se = wd.resolve("stderr.txt");
                pb.redirectOutput(so.toFile()).redirectError(se.toFile());
                if (stdinFromNull) {
                    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                }
                if (stderrPiped) {
                    pb.redirectError(ProcessBuilder.Redirect.PIPE);
                }
                if (stdoutReader != null) {
                    pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
                    ProcessBuilder reader = new ProcessBuilder(stdoutReader).directory(wd.toFile())
                            .redirectOutput(so.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
                    List<Process> pipeline = ProcessBuilder.startPipeline(List.of(pb, reader));
                    ForkedJvm jvm = new ForkedJvm(pipeline.get(0), wd, out, so, se);
                    jvm.readers.add(pipeline.get(1));
                    return jvm;
                }
                return new ForkedJvm(pb.start(), wd, out, so, se);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The test JVM's class path minus the agent's own classes and libraries: the target sees the agent only
     * through -javaagent, as a real application would.
     */
    public static String targetClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> !p.endsWith("target/classes") && !p.endsWith("target" + File.separator + "classes"))
                .filter(p -> !p.contains("byte-buddy") && !p.contains("/org/ow2/asm/") && !p.contains("forensics-agent"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    /** The target class path without the entries whose path contains the text, e.g. "slf4j". */
    public static String classpathWithout(String text) {
        return Arrays.stream(targetClasspath().split(File.pathSeparator)).filter(p -> !p.contains(text))
                .collect(Collectors.joining(File.pathSeparator));
    }

    public long pid() {
        return pid;
    }

    public Path dir() {
        return dir;
    }

    public Path workDir() {
        return workDir;
    }

    public Process process() {
        return process;
    }

    /** Sends a signal from a separate process: {@code kill -s SIG pid}. */
    public void signal(String signal) {
        run("kill", "-s", signal, Long.toString(pid));
    }

    /** Sends a signal from a shell script that names itself, as a deploy script would. */
    public void signalFromScript(String signal, Path script) {
        try {
            Files.writeString(script, "#!/bin/sh\nkill -s " + signal + " " + pid + "\n");
            script.toFile().setExecutable(true);
            run(script.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed with " + p.exitValue() + ": " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for the JVM to end and returns its exit status; fails the test (and kills it) after the timeout. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("target JVM did not end within " + timeout + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public int waitFor() {
        return waitFor(Duration.ofSeconds(60));
    }

    /** Waits until stdout has a line that satisfies the predicate (targets print READY and the like). */
    public ForkedJvm awaitStdout(String text, Duration timeout) {
        return await(() -> stdout().contains(text), "stdout to contain '" + text + "'", timeout);
    }

    /** Waits until the journal holds the text, e.g. the start-up summary "hooks active". */
    public ForkedJvm awaitJournal(String text, Duration timeout) {
        return await(() -> journal().contains(text), "journal to contain '" + text + "'", timeout);
    }

    public ForkedJvm await(java.util.function.BooleanSupplier condition, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return this;
            }
            if (!process.isAlive() && !condition.getAsBoolean()) {
                throw new AssertionError("target JVM exited (" + process.exitValue() + ") before " + what
                        + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr() + "\njournal:\n" + journal());
            }
            sleep(20);
        }
        throw new AssertionError("timed out waiting for " + what + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr() + "\njournal:\n" + journal());
    }

    public String stdout() {
        return read(stdout);
    }

    /** With {@link Builder#stderrPiped()}: reads the first line of the JVM's stderr, then closes our end of the pipe. */
    public String readStderrLineThenHangUp() {
        try (java.io.BufferedReader r = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            return r.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String stderr() {
        return read(stderr);
    }

    /** Lines of stderr that are not the JVM's own (warnings the JDK prints regardless of any agent). */
    public List<String> stderrLines() {
        return stderr().lines().filter(l -> !l.isBlank()).collect(Collectors.toList());
    }

    /** The JVM's journal, {@code journal-<pid>-<start>.log} (the newest if several); a path that does not exist yet before it is made. */
    public Path journalFile() {
        return journalIn(dir, pid);
    }

    public static Path journalIn(Path dir, long pid) {
        String head = "journal-" + pid + "-";
        try (var s = Files.list(dir)) {
            return s.filter(p -> (p.getFileName().toString().startsWith(head) && p.getFileName().toString().endsWith(".log")
                    || p.getFileName().toString().equals(head.substring(0, head.length() - 1) + ".log")))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString())).orElse(dir.resolve(head + "not-yet.log"));
        } catch (IOException e) {
            return dir.resolve(head + "not-yet.log");
        }
    }

    public String journal() {
        return read(journalFile());
    }

    /** Files in the output directory whose names match. */
    public List<Path> files(Predicate<String> name) {
        try (var s = Files.list(dir)) {
            return s.filter(p -> name.test(p.getFileName().toString())).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            return List.of();
        }
    }

    public static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Process r : readers) {
            r.destroyForcibly();
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "pid " + pid + " in " + workDir;
    }
}
