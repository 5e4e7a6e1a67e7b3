package dev.forensics.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import dev.forensics.agent.AgentMarker;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The JVM a command is about, checked one step at a time so each way it can go wrong has its own message and exit
 * code: the process exists, runs as us (or we are root), is a JVM, accepts attach, runs Java 17 or newer. Attaching
 * only reads system properties; loading the agent is a separate, explicit step.
 */
final class Target {
    static final int MIN_JAVA = 17;

    final long pid;
    final Proc.Status status;

    private Target(long pid, Proc.Status status) {
        this.pid = pid;
        this.status = status;
    }

    /** For tests of the checks that follow resolution. */
    static Target resolveForTest(long pid) {
        return new Target(pid, Proc.status(pid));
    }

    /**
     * A pid, or a name matched against the JVMs of this user (as {@code forensics list} shows them): the main class or
     * jar, and for {@code java -jar} the manifest's Start-Class and launcher ({@link JvmNames}).
     */
    static Target resolve(String pidOrMain) {
        long pid = pidOrMain.matches("\\d{1,10}") ? Long.parseLong(pidOrMain) : byMainClass(pidOrMain);
        if (pid == ProcessHandle.current().pid()) {
            throw new CliException(ExitCodes.USAGE, "pid " + pid + " is this forensics command itself");
        }
        Proc.Status st = Proc.exists(pid) ? Proc.status(pid) : null;
        if (st == null) {
            throw new CliException(ExitCodes.NO_SUCH_PROCESS, "no process with pid " + pid);
        }
        if (st.exiting()) {
            throw new CliException(
                    ExitCodes.NO_SUCH_PROCESS,
                    "pid " + pid + " (" + st.name()
                            + ") is exiting: it has ended and its parent has not collected it yet"
                            + " (forensics lastwords shows what it left)");
        }
        boolean listed = listedJvm(pid);
        Proc.Status me = Proc.self();
        if (me != null && me.euid() != 0 && (st.euid() != me.euid() || st.egid() != me.egid())) {
            String argv0 = Proc.argv0(pid);
            if (!listed
                    && !Paths.get(argv0.isEmpty() ? "?" : argv0)
                            .getFileName()
                            .toString()
                            .equals("java")) {
                throw new CliException(
                        ExitCodes.NOT_A_JVM,
                        "pid " + pid + " (" + st.name() + ") is not a JVM, as far as another user can tell");
            }
            throw otherUser(pid, st, me);
        }
        Boolean jvm = listed ? Boolean.TRUE : Proc.mapsLibjvm(pid);
        if (Boolean.FALSE.equals(jvm) && Proc.memoryGone(pid)) {
            throw new CliException(
                    ExitCodes.NO_SUCH_PROCESS,
                    "pid " + pid + " (" + st.name() + ") is exiting: its memory is already released"
                            + " (forensics lastwords shows what it left)");
        }
        if (!Boolean.TRUE.equals(jvm)) {
            throw new CliException(
                    ExitCodes.NOT_A_JVM,
                    "pid " + pid + " (" + st.name() + ") is not a JVM: it has no libjvm.so loaded");
        }
        return new Target(pid, st);
    }

    private static CliException otherUser(long pid, Proc.Status st, Proc.Status me) {
        String owner = Proc.userName(st.euid());
        String sameUserOtherGroup = st.euid() == me.euid()
                ? " with group " + st.egid() + " (you have group " + me.egid()
                        + "); the attach API needs both to match: run  sudo -u " + owner + " -g '#" + st.egid()
                        + "' forensics …"
                : " (you are " + Proc.userName(me.euid())
                        + "); the attach API only lets the JVM's own user or root in: run  sudo -u " + owner
                        + " forensics …";
        return new CliException(ExitCodes.OTHER_USER, "pid " + pid + " runs as user " + owner + sameUserOtherGroup);
    }

    private static boolean listedJvm(long pid) {
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(Long.toString(pid))) {
                return true;
            }
        }
        return false;
    }

    private static long byMainClass(String name) {
        List<String> matches = new ArrayList<>();
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(Long.toString(ProcessHandle.current().pid()))) {
                continue;
            }
            long pid;
            try {
                pid = Long.parseLong(d.id());
            } catch (NumberFormatException e) {
                continue;
            }
            if (JvmNames.of(pid, d.displayName()).answersTo(name)) {
                matches.add(d.id());
            }
        }
        if (matches.isEmpty()) {
            throw new CliException(
                    ExitCodes.NO_SUCH_PROCESS,
                    "no JVM of this user has the main class or jar '" + name
                            + "', nor a jar whose Start-Class or launcher it is (see forensics list)");
        }
        if (matches.size() > 1) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "'" + name + "' matches several JVMs (pids " + String.join(", ", matches) + "); give the pid");
        }
        return Long.parseLong(matches.get(0));
    }

    /** The main class or jar: the first word of the command the JVM was started with (arguments may hold secrets). */
    static String mainOf(String displayName) {
        String[] words = (displayName == null ? "" : displayName.strip()).split("\\s+");
        // java Foo.java runs the JDK's source launcher; the file is what a person calls the main class.
        if (words.length > 1 && words[0].startsWith("jdk.compiler/")) {
            return words[1];
        }
        return words[0];
    }

    /** Attaches (reads nothing, loads nothing yet); the caller detaches. */
    VirtualMachine attach() {
        Path socket = Paths.get(
                "/proc", Long.toString(pid), "root", "tmp", ".java_pid" + (status.nsPid() > 0 ? status.nsPid() : pid));
        removeIfStale(socket);
        if (!Files.exists(socket) && !Files.exists(Paths.get("/tmp", ".java_pid" + pid)) && !status.catchesSigquit()) {
            // The attach API wakes a JVM with SIGQUIT; a JVM without its handler (still starting, or -Xrs) would die of
            // it.
            throw new CliException(
                    ExitCodes.ATTACH_REFUSED,
                    "pid " + pid + " does not handle SIGQUIT (it is still starting, or runs with -Xrs): "
                            + "attaching now could end it. Try again in a moment; under -Xrs, start it with -javaagent:forensics.jar instead");
        }
        try {
            return VirtualMachine.attach(Long.toString(pid));
        } catch (AttachNotSupportedException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("does not support the attach mechanism")) {
                throw new CliException(
                        ExitCodes.ATTACH_REFUSED,
                        "pid " + pid + " refuses attach: it was started with -XX:+DisableAttachMechanism, "
                                + "so no tool can attach to it. Restart it without that flag, or with -javaagent:forensics.jar");
            }
            throw new CliException(
                    ExitCodes.ATTACH_REFUSED,
                    "cannot attach to pid " + pid + ": " + m
                            + " (is it hung, still starting, or in another container?)");
        } catch (IOException e) {
            throw new CliException(ExitCodes.ATTACH_REFUSED, "cannot attach to pid " + pid + ": " + e.getMessage());
        }
    }

    /**
     * The attach API connects to {@code /tmp/.java_pid<pid>} whenever that file exists, and only wakes the JVM to create
     * it when it does not. A JVM that was killed leaves its socket behind; once its pid is reused by another JVM, every
     * attach to the new one is refused by a socket nobody listens on — and when the file belongs to another user (a
     * root JVM's, the new one running as a service user) the new JVM cannot even replace it in sticky /tmp. The JVM
     * creates the file itself, as its own user, after it started: one older than the process, or owned by someone
     * else, was left by an earlier process — or belongs to another live JVM that sees the same /tmp from another pid
     * namespace. Only a socket nobody listens on (a connection is refused) is removed; a live one is never touched.
     */
    void removeIfStale(Path socket) {
        Optional<Instant> started = ProcessHandle.of(pid).flatMap(p -> p.info().startInstant());
        String why;
        try {
            why = staleBecause(socket, status.euid(), started.orElse(null));
        } catch (IOException e) {
            return; // gone, or unreadable: the attach API reports what it finds
        }
        if (why == null) {
            return;
        }
        String notDead = provablyDead(socket);
        if (notDead != null && why.startsWith("created ")) {
            return; // the JVM user's own live socket, only older than the start time we estimate: it is the JVM's
        }
        if (notDead != null) {
            throw new CliException(
                    ExitCodes.ATTACH_REFUSED,
                    "cannot attach to pid " + pid + ": " + socket + " does not look like the JVM's own attach socket ("
                            + why + "), but " + notDead
                            + ", so it is left alone; it may belong to another JVM that shares this /tmp from another pid namespace");
        }
        try {
            Files.delete(socket);
        } catch (NoSuchFileException e) {
            // removed meanwhile
        } catch (IOException e) {
            throw new CliException(
                    ExitCodes.ATTACH_REFUSED,
                    "cannot attach to pid " + pid + ": " + socket + " is a stale attach socket (" + why
                            + ") that blocks the attach API, and it cannot be removed (" + e
                            + "); remove it as its owner or root");
        }
    }

    /**
     * Null when the file is a socket that nobody listens on (a connection to it is refused: its process is gone), else
     * why that cannot be shown. Connecting to a live attach listener and closing at once is harmless: it reads no request.
     */
    static String provablyDead(Path socket) {
        try {
            Map<String, Object> a = Files.readAttributes(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (((Integer) a.get("mode") & 0170000) != 0140000) {
                return "it is not a socket";
            }
        } catch (IOException e) {
            return "its type cannot be read (" + e + ")";
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.configureBlocking(false); // a listener with a full backlog must not hold us: EAGAIN counts as alive
            ch.connect(UnixDomainSocketAddress.of(socket));
            return "a process is listening on it";
        } catch (ConnectException refused) {
            return null;
        } catch (IOException | RuntimeException e) {
            return "whether a process listens on it cannot be told (" + e + ")";
        }
    }

    /** Why an attach socket cannot be the JVM's own (its owner differs, or it predates the process), or null. */
    static String staleBecause(Path socket, int jvmEuid, Instant processStarted) throws IOException {
        Map<String, Object> a = Files.readAttributes(socket, "unix:uid,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
        int owner = (Integer) a.get("uid");
        if (owner != jvmEuid) {
            return "owned by " + Proc.userName(owner) + ", the JVM runs as " + Proc.userName(jvmEuid);
        }
        Instant modified = ((FileTime) a.get("lastModifiedTime")).toInstant();
        // The process start is known to the second only (boot time in /proc/stat has no fraction).
        if (processStarted != null && modified.isBefore(processStarted.minusSeconds(2))) {
            return "created " + modified + ", before the process started at " + processStarted;
        }
        return null;
    }

    Properties properties(VirtualMachine vm) {
        try {
            return vm.getSystemProperties();
        } catch (IOException e) {
            throw new CliException(
                    ExitCodes.ATTACH_REFUSED, "pid " + pid + " did not answer the attach request: " + e.getMessage());
        }
    }

    /** Reads the target's system properties and checks its Java version; the caller learns whether the agent runs. */
    Properties properties() {
        VirtualMachine vm = attach();
        try {
            return requireJava17(properties(vm));
        } finally {
            detach(vm);
        }
    }

    Properties requireJava17(Properties props) {
        int feature = featureVersion(props.getProperty("java.specification.version"));
        if (feature < MIN_JAVA) {
            throw new CliException(
                    ExitCodes.JVM_TOO_OLD,
                    "pid " + pid + " runs Java " + (feature < 0 ? "of an unknown version" : feature) + " (java.version "
                            + props.getProperty("java.version") + "); the forensics agent needs Java " + MIN_JAVA
                            + " or newer");
        }
        return props;
    }

    /** 8 for "1.8", 17 for "17"; -1 when unreadable. */
    static int featureVersion(String spec) {
        if (spec == null) {
            return -1;
        }
        String s = spec.startsWith("1.") ? spec.substring(2) : spec;
        int dot = s.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? s : s.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The running agent's marker, or exit 9 with the command that loads it. */
    AgentMarker requireAgent(Properties props) {
        AgentMarker marker = AgentMarker.parse(props.getProperty(AgentMarker.PROPERTY));
        if (marker == null) {
            throw new CliException(
                    ExitCodes.NO_AGENT,
                    "pid " + pid + " has no forensics agent; load it with: forensics attach " + pid);
        }
        return marker;
    }

    void loadAgent(VirtualMachine vm, Path jar, String options, int javaFeature) {
        try {
            vm.loadAgent(jar.toString(), options);
        } catch (AgentLoadException e) {
            String m = String.valueOf(e.getMessage());
            if (m.contains("EnableDynamicAgentLoading") || javaFeature >= 21 && m.contains("not enabled")) {
                throw new CliException(
                        ExitCodes.ATTACH_REFUSED,
                        "pid " + pid + " (Java " + javaFeature + ") runs with -XX:-EnableDynamicAgentLoading, "
                                + "which forbids loading an agent into a running JVM (JEP 451). Restart it with -javaagent:forensics.jar, "
                                + "or without that flag (-XX:+EnableDynamicAgentLoading allows it and also silences the JDK's warning)");
            }
            throw new CliException(
                    ExitCodes.FAILED,
                    "pid " + pid + " could not load " + jar + ": " + m
                            + (Files.isReadable(jar) ? "" : " (is the jar readable by the JVM's user?)"));
        } catch (AgentInitializationException e) {
            throw new CliException(
                    ExitCodes.FAILED,
                    "the agent failed to start in pid " + pid + " (code " + e.returnValue()
                            + "); see that JVM's stderr");
        } catch (IOException e) {
            if (!Proc.exists(pid)) {
                throw new CliException(ExitCodes.FAILED, "pid " + pid + " ended while the agent was loading");
            }
            throw new CliException(
                    ExitCodes.FAILED, "loading the agent into pid " + pid + " failed: " + e.getMessage());
        }
    }

    static void detach(VirtualMachine vm) {
        try {
            vm.detach();
        } catch (IOException e) {
            // the JVM may be gone; nothing to undo
        }
    }
}
