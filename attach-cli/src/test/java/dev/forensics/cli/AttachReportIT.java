package dev.forensics.cli;

import static dev.forensics.testing.AgentAssertions.assertAgentClean;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.forensics.cli.targets.LeakAfterAttach;
import dev.forensics.cli.targets.Service;
import dev.forensics.testing.ForkedJvm;
import dev.forensics.testing.Jdk;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * The operator's path through a running service that was started without the agent: list it, attach, ask for the
 * report, record JFR, and read last words after it is killed. Every pair of JDKs, CLI on one and service on the other.
 */
class AttachReportIT {

    /** CLI JDK × target JDK: 17→17, 17→25, 25→17, 25→25. */
    static Stream<Arguments> pairs() {
        return Jdk.all().flatMap(cli -> Jdk.all().map(target -> Arguments.of(cli, target)));
    }

    @ParameterizedTest(name = "CLI on {0}, service on {1}")
    @MethodSource("pairs")
    void attachLoadsTheAgentOnceAndReportShowsItsSelfCheckAndASectionRegisteredAfterwards(Jdk cli, Jdk target) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(target).noAgent().start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());
            Path cwd = jvm.workDir();

            Cli.Result listed = Cli.run(cli, cwd, "list", pid);
            assertThat(listed.exit()).as(listed.toString()).isZero();
            assertThat(line(listed.stdout(), pid)).as(listed.toString()).contains(Service.class.getName()).contains(" - ")
                    .contains(target.name().equals("17") ? "17." : "25");

            // A host file tree in a login session scope (the nohup-from-SSH incident), for the on-demand doctor below.
            Path envRoot = cwd.resolve("env");
            Files.createDirectories(envRoot.resolve("proc/self"));
            Files.writeString(envRoot.resolve("proc/self/cgroup"), "0::/user.slice/user-1000.slice/session-146.scope\n");
            Cli.Result attached = Cli.run(cli, cwd, "attach", pid, "dir=" + jvm.dir() + ",doctor=off,envRoot=" + envRoot);
            assertThat(attached.exit()).as(attached.toString()).isZero();
            assertThat(attached.stdout()).contains("loaded ").contains("into pid " + pid)
                    .contains("self-check: ").contains("hook exit.exit active").contains("hook exit.halt active")
                    .contains("output directory: " + jvm.dir());
            if (target.name().equals("25")) {
                assertThat(attached.stderr()).contains("JEP 451").contains("-XX:+EnableDynamicAgentLoading");
            }

            Cli.Result again = Cli.run(cli, cwd, "attach", pid, "log=off");
            assertThat(again.exit()).as(again.toString()).isZero();
            assertThat(again.stdout()).contains("already runs in pid " + pid).contains("nothing was loaded again")
                    .contains("(log=off) were not applied").contains("hook exit.exit active");

            Files.createFile(cwd.resolve("register"));
            jvm.awaitStdout("REGISTERED", Duration.ofSeconds(30));

            Cli.Result report = Cli.run(cli, cwd, "report", pid);
            assertThat(report.exit()).as(report.toString()).isZero();
            assertThat(report.stdout()).contains("forensics ").contains("loaded by attach").containsPattern("[1-9][0-9]* hooks active, 0 missing")
                    .contains("JVM: up ").contains("threads")
                    .contains("WARN orders: order queue slower than 40 s")
                    .contains("Orders queue:").contains("  3 orders waiting, oldest 42 s").contains("  consumer thread orders-1 blocked");

            Cli.Result json = Cli.run(cli, cwd, "report", "--json", Service.class.getSimpleName());
            assertThat(json.exit()).as(json.toString()).isZero();
            assertThat(json.stdout().strip()).startsWith("{\"pid\":" + pid).endsWith("}")
                    .containsPattern("\"hooksActive\":[1-9][0-9]*,\"hooksMissing\":0").contains("\"name\":\"exit.exit\",\"feature\":\"termination\",\"state\":\"active\"")
                    .contains("\"title\":\"Orders queue\"").contains("\"lines\":[\"3 orders waiting, oldest 42 s\"")
                    .contains("\"message\":\"order queue slower than 40 s\"").contains("\"heapMaxBytes\":");

            Cli.Result marked = Cli.run(cli, cwd, "list", "--json", pid);
            assertThat(marked.stdout()).as(marked.toString()).contains("\"pid\":" + pid)
                    .contains("\"agent\":{\"version\":\"0.1.0-SNAPSHOT\"").contains("\"dir\":\"" + jvm.dir() + "\"");

            Cli.Result doctor = Cli.run(cli, cwd, "doctor", pid);
            assertThat(doctor.exit()).as(doctor.toString()).isZero();
            assertThat(doctor.stdout()).contains("forensics doctor, pid " + pid).contains("examined now")
                    .contains("[risk] session-scope: ").contains("session-146.scope").contains("fix: ");

            assertThat(jvm.process().isAlive()).isTrue();
            // Requests never load anything again: the JDK's dynamic-agent warning (25) appears once, and of ours only the
            // finding the service reported (no SLF4J here, so findings go to stderr).
            assertThat(jvm.stderrLines()).noneMatch(l -> l.startsWith("forensics"));
            assertThat(jvm.stderrLines()).filteredOn(l -> l.startsWith("[forensics]")).containsExactly("[forensics] order queue slower than 40 s");
            assertThat(jvm.stderrLines().stream().filter(l -> l.contains("loaded dynamically"))).hasSize(target.name().equals("25") ? 1 : 0);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(jvm.dir().resolve("requests")))).isEqualTo("rwx------");
            try (Stream<Path> left = Files.list(jvm.dir().resolve("requests"))) {
                assertThat(left).as("request and answer files are cleaned up").isEmpty();
            }
            assertAgentClean(jvm);
        }
    }

    /** Attach weaves clients whose classes the service loaded long before: bodies leaked afterwards are tracked. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void attachInstrumentsClientsTheServiceHadAlreadyLoaded(Jdk jdk) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).noAgent().start(LeakAfterAttach.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());
            Path cwd = jvm.workDir();
            Cli.Result attached = Cli.run(jdk, cwd, "attach", pid, "dir=" + jvm.dir() + ",doctor=off,leakStacks=always");
            assertThat(attached.exit()).as(attached.toString()).isZero();
            assertThat(attached.stdout()).contains("hook jdkhttp.response active").contains("hook urlconnection.body active");
            Files.createFile(cwd.resolve("go"));
            jvm.awaitStdout("LEAKED", Duration.ofSeconds(30));

            Cli.Result report = Cli.run(jdk, cwd, "report", pid);
            assertThat(report.exit()).as(report.toString()).isZero();
            // Open or already collected (a GC-confirmed leak), each body names its line.
            assertThat(report.stdout()).contains("HTTP response bodies").contains("10 bodies tracked since start")
                    .contains(" at " + LeakAfterAttach.class.getName() + ".leakJdk(LeakAfterAttach.java:")
                    .contains(" at " + LeakAfterAttach.class.getName() + ".leakUrlConnection(LeakAfterAttach.java:");
            assertAgentClean(jvm);
        }
    }

    @ParameterizedTest(name = "CLI on {0}, service on {1}")
    @MethodSource("pairs")
    void jfrStartDumpStopWriteOwnerOnlyRecordingsThatJmcLoadsWithForensicsEvents(Jdk cli, Jdk target) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(target).noAgent().start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());
            Path cwd = jvm.workDir();

            Cli.Result noAgent = Cli.run(cli, cwd, "jfr", "start", pid);
            assertThat(noAgent.exit()).as(noAgent.toString()).isEqualTo(ExitCodes.NO_AGENT);
            assertThat(noAgent.stderr()).contains("has no forensics agent").contains("forensics attach " + pid);

            assertThat(Cli.run(cli, cwd, "attach", pid, "dir=" + jvm.dir()).exit()).isZero();
            Cli.Result dumpFirst = Cli.run(cli, cwd, "jfr", "dump", pid);
            assertThat(dumpFirst.exit()).as(dumpFirst.toString()).isEqualTo(ExitCodes.FAILED);
            assertThat(dumpFirst.stderr()).contains("no forensics recording runs in pid " + pid);

            Path atExit = cwd.resolve("at-stop.jfr");
            Cli.Result start = Cli.run(cli, cwd, "jfr", "start", pid, "--file", "at-stop.jfr", "--max-age", "1h");
            assertThat(start.exit()).as(start.toString()).isZero();
            assertThat(start.stdout()).contains("started JFR recording 'forensics' with forensics.jfc in pid " + pid).contains(atExit.toString());

            Cli.Result dump = Cli.run(cli, cwd, "jfr", "dump", pid, "--file", "snapshot.jfr");
            assertThat(dump.exit()).as(dump.toString()).isZero();
            Path snapshot = cwd.resolve("snapshot.jfr");
            assertThat(dump.stdout()).contains("dumped the forensics recording of pid " + pid + " to " + snapshot).contains("keeps recording");
            assertRecordingHasForensicsEvents(snapshot);

            Cli.Result stop = Cli.run(cli, cwd, "jfr", "stop", pid, "--json");
            assertThat(stop.exit()).as(stop.toString()).isZero();
            assertThat(stop.stdout()).contains("\"state\":\"closed\"").contains("\"file\":\"" + atExit + "\"");
            assertRecordingHasForensicsEvents(atExit);

            for (Path p : List.of(snapshot, atExit)) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rw-------");
            }
            assertThat(jvm.process().isAlive()).isTrue();
            assertAgentClean(jvm);
        }
    }

    /** The common case: a service started with -javaagent. Nothing is loaded into it, so nothing appears on its stderr. */
    @ParameterizedTest(name = "CLI on {0}, service on {1}")
    @MethodSource("pairs")
    void aServiceStartedWithTheAgentIsListedAndAnswersWithoutAnythingLoadedIntoIt(Jdk cli, Jdk target) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(target).start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30)).awaitJournal("hooks active", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());
            Cli.Result listed = Cli.run(cli, jvm.workDir(), "list", pid);
            assertThat(listed.stdout()).as(listed.toString()).contains("0.1.0-SNAPSHOT " + jvm.dir());

            Cli.Result attach = Cli.run(cli, jvm.workDir(), "attach", pid);
            assertThat(attach.exit()).as(attach.toString()).isZero();
            assertThat(attach.stdout()).contains("already runs in pid " + pid + " (loaded at startup); nothing was loaded again")
                    .contains("loaded at startup").contains("hook exit.halt active");
            assertThat(attach.stderr()).isEmpty();

            Cli.Result report = Cli.run(cli, jvm.workDir(), "report", pid);
            assertThat(report.exit()).as(report.toString()).isZero();
            assertThat(report.stdout()).contains("Findings (0 distinct, newest first):").contains("  (none)");
            assertThat(jvm.stderr()).isEmpty();
            assertAgentClean(jvm);
        }
    }

    /** Root may look into any user's JVM; what the agent writes stays that user's, owner-only. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void rootAttachesToAnotherUsersJvmAndItsFilesStayThatUsers(Jdk jdk) throws Exception {
        assumeTrue(Proc.self().euid() == 0, "needs root to start a JVM as another user (nobody)");
        assumeTrue(Files.isExecutable(Paths.get("/usr/bin/setpriv")), "needs setpriv");
        Path dir = Files.createTempDirectory("forensics-nobody-").resolve("out");
        Files.setPosixFilePermissions(dir.getParent(), PosixFilePermissions.fromString("rwxrwxrwx"));
        String classes = Paths.get(Service.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        try (ForkedJvm jvm = ForkedJvm.on(jdk).noAgent().classpath(classes).dir(dir)
                .wrappedBy("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups").start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());
            assertThat(Proc.status(jvm.pid()).euid()).as("the JVM runs as nobody").isNotZero();

            // A root JVM killed earlier with this pid left its socket; the nobody JVM cannot replace root's file in /tmp.
            Path rootsSocket = leaveDeadSocket(jvm.pid());

            Cli.Result attached = Cli.run(jdk, jvm.workDir(), "attach", pid, "dir=" + dir);
            assertThat(attached.exit()).as(attached.toString()).isZero();
            assertThat(attached.stdout()).contains("hook exit.exit active");
            assertThat(Files.getOwner(rootsSocket).getName()).as("the JVM's own socket replaced root's").isEqualTo("nobody");
            Cli.Result report = Cli.run(jdk, jvm.workDir(), "report", pid);
            assertThat(report.exit()).as(report.toString()).isZero();
            assertThat(report.stdout()).contains("output directory: " + dir);
            Cli.Result dump = Cli.run(jdk, jvm.workDir(), "jfr", "start", pid);
            assertThat(dump.exit()).as(dump.toString()).isZero();
            Cli.Result stop = Cli.run(jdk, jvm.workDir(), "jfr", "stop", pid);
            assertThat(stop.exit()).as(stop.toString()).isZero();

            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.collect(Collectors.toList())) {
                    assertThat(Files.getOwner(p).getName()).as(p.toString()).isEqualTo("nobody");
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
                            .isIn("rw-------", "rwx------");
                }
            }
            try (Stream<Path> left = Files.list(dir.resolve("requests"))) {
                assertThat(left).isEmpty();
            }
        }
    }

    /**
     * A JVM that is killed leaves its attach socket in /tmp; when a new JVM gets the same pid, the JDK's attach API
     * connects to the dead socket and is refused, forever. The CLI recognises a socket made before the process started.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.forensics.testing.Jdk#all")
    void anAttachSocketLeftByAnEarlierProcessWithThePidDoesNotBlockAttaching(Jdk jdk) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(jdk).noAgent().start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());
            Path socket = leaveDeadSocket(jvm.pid());
            Files.setLastModifiedTime(socket, FileTime.from(Instant.now().minus(Duration.ofHours(1))));

            Cli.Result attached = Cli.run(jdk, jvm.workDir(), "attach", pid, "dir=" + jvm.dir());
            assertThat(attached.exit()).as(attached.toString()).isZero();
            assertThat(attached.stdout()).contains("hook exit.exit active");
            assertThat(Files.getLastModifiedTime(socket).toInstant()).as("the JVM made a new socket")
                    .isAfter(Instant.now().minus(Duration.ofMinutes(5)));
            Cli.Result report = Cli.run(jdk, jvm.workDir(), "report", pid);
            assertThat(report.exit()).as(report.toString()).isZero();
        }
    }

    /** What a killed JVM leaves: a bound Unix socket's file, owner-only, with nobody listening on it, named after the pid. */
    private static Path leaveDeadSocket(long pid) throws Exception {
        Path socket = Paths.get("/tmp", ".java_pid" + pid);
        assertThat(socket).as("nothing has attached to the new JVM yet").doesNotExist();
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------")); // as the JVM makes it
        return socket;
    }

    @ParameterizedTest(name = "CLI on {0}, service on {1}")
    @MethodSource("pairs")
    void attachThenSigtermFromAScriptLeavesLastWordsThatNameTheSender(Jdk cli, Jdk target) throws Exception {
        try (ForkedJvm jvm = ForkedJvm.on(target).noAgent().start(Service.class)) {
            jvm.awaitStdout("READY", Duration.ofSeconds(30));
            String pid = Long.toString(jvm.pid());
            assertThat(Cli.run(cli, jvm.workDir(), "attach", pid, "dir=" + jvm.dir()).exit()).isZero();

            // Like a real deploy script, it goes on after kill (waits, then would start the new version), so the
            // signal handler can still read who it is; a sender that exits within microseconds is named by pid only.
            Path script = jvm.workDir().resolve("deploy-stop.sh");
            Files.writeString(script, "#!/bin/sh\nkill -s TERM " + pid + "\nsleep 1\n");
            script.toFile().setExecutable(true);
            ForkedJvm.run(script.toString());
            assertThat(jvm.waitFor()).isEqualTo(143);

            Cli.Result words = Cli.run(cli, jvm.workDir(), "lastwords", jvm.dir().toString());
            assertThat(words.exit()).as(words.toString()).isZero();
            assertThat(words.stdout()).contains("==> " + jvm.dir().resolve("last-words-"))
                    .contains("SIGTERM").contains("deploy-stop.sh");
            assertThat(words.stdout()).as("the verdict's two lines first").startsWith("SIGTERM from pid ")
                    .containsPattern("\\A[^\\n]*deploy-stop\\.sh[^\\n]*\\nnext: [^\\n]+\\n\\n==> ");
        }
    }

    static void assertRecordingHasForensicsEvents(Path jfr) throws Exception {
        List<RecordedEvent> status = RecordingFile.readAllEvents(jfr).stream()
                .filter(e -> e.getEventType().getName().equals("forensics.AgentStatus")).collect(Collectors.toList());
        assertThat(status).as("forensics.AgentStatus in " + jfr).isNotEmpty();
        assertThat(status.get(status.size() - 1).getInt("hooksActive")).isGreaterThanOrEqualTo(8);
        assertThat(status.get(status.size() - 1).getInt("hooksMissing")).isZero();
        IItemCollection items = JfrLoaderToolkit.loadEvents(jfr.toFile());
        assertThat(items.apply(ItemFilters.type("forensics.AgentStatus")).hasItems()).as("JMC reads forensics.AgentStatus").isTrue();
        assertThat(items.apply(ItemFilters.type("jdk.JVMInformation")).hasItems()).as("forensics.jfc's JDK events").isTrue();
    }

    private static String line(String text, String pid) {
        return text.lines().filter(l -> l.startsWith(pid + " ")).findFirst().orElse("(no line for pid " + pid + ")");
    }
}
