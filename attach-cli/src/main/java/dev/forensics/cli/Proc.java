package dev.forensics.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

/**
 * What Linux says about a process, read from {@code /proc} without touching the process: who owns it, whether
 * it is a JVM, which JDK it runs, whether the forensics agent is loaded. Reading never disturbs a JVM, which is
 * why {@code forensics list} uses this rather than the attach API.
 */
final class Proc {
    static final String AGENT_CLASS = "dev.forensics.agent.ForensicsAgent";

    /** The lines of {@code /proc/<pid>/status} we use; null fields when absent. */
    record Status(String name, int euid, int egid, long nsPid, long signalsCaught, char state) {
        boolean catchesSigquit() {
            return (signalsCaught & (1L << (3 - 1))) != 0;
        }

        /** A zombie (ended, not yet collected by its parent) or dead: nothing to attach to, but not "not a JVM". */
        boolean exiting() {
            return state == 'Z' || state == 'X';
        }
    }

    /** The agent found in a process: version from its jar, output directory from its open journal (or null). */
    record Agent(String version, Path jar, Path dir) {}

    private static final Map<String, String> AGENT_JARS = new HashMap<>();
    /** No agent jar is this large; a bigger "jar" is not opened. */
    static final long MAX_JAR_BYTES = 256L * 1024 * 1024;

    private Proc() {}

    static Path dir(long pid) {
        return Paths.get("/proc", Long.toString(pid));
    }

    static boolean exists(long pid) {
        return Files.isDirectory(dir(pid));
    }

    static Status status(long pid) {
        return status(dir(pid).resolve("status"));
    }

    static Status self() {
        return status(Paths.get("/proc/self/status"));
    }

    private static Status status(Path file) {
        try {
            String name = "?";
            int uid = -1;
            int gid = -1;
            long nsPid = -1;
            long caught = 0;
            char state = '?';
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\\s+");
                switch (f[0]) {
                    case "Name:":
                        name = f.length > 1 ? f[1] : "?";
                        break;
                    case "Uid:":
                        uid = Integer.parseInt(f[2]);
                        break;
                    case "Gid:":
                        gid = Integer.parseInt(f[2]);
                        break;
                    case "NSpid:":
                        nsPid = Long.parseLong(f[f.length - 1]);
                        break;
                    case "SigCgt:":
                        caught = Long.parseUnsignedLong(f[1], 16);
                        break;
                    case "State:":
                        state = f.length > 1 && !f[1].isEmpty() ? f[1].charAt(0) : '?';
                        break;
                    default:
                        break;
                }
            }
            return new Status(name, uid, gid, nsPid, caught, state);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The command line's first word, readable for any user's process. */
    static String argv0(long pid) {
        try {
            byte[] b;
            try (java.io.InputStream in = Files.newInputStream(dir(pid).resolve("cmdline"))) {
                b = in.readNBytes(4096); // proc files report no size; read as a stream
            }
            int end = 0;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            return new String(b, 0, end, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The value of {@code -D<name>=…} among the JVM options of a {@code java -jar} command line, those before
     * {@code -jar} (what follows is the application's and is never read), or null. Readable for any user's process.
     */
    static String systemPropertyOption(long pid, String name) {
        try {
            byte[] b;
            try (java.io.InputStream in = Files.newInputStream(dir(pid).resolve("cmdline"))) {
                b = in.readNBytes(128 * 1024);
            }
            return systemPropertyOption(new String(b, StandardCharsets.UTF_8).split("\0"), name);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String systemPropertyOption(String[] commandLine, String name) {
        String value = null;
        for (String w : commandLine) {
            if (w.equals("-jar")) {
                return value;
            }
            if (w.startsWith("-D" + name + "=")) {
                value = w.substring(name.length() + 3); // the last one wins, as in the JVM
            }
        }
        return null; // no -jar: not the command line we expected
    }

    /** True, false, or null when we may not look (another user's process). */
    static Boolean mapsLibjvm(long pid) {
        try {
            for (String line : Files.readAllLines(dir(pid).resolve("maps"), StandardCharsets.ISO_8859_1)) {
                if (line.endsWith("/libjvm.so")) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * True when a user process has no memory map left: it is between releasing its memory and becoming a zombie.
     * Kernel threads have none either, and are told apart by their empty command line and parent kthreadd (pid 2).
     */
    static boolean memoryGone(long pid) {
        try {
            if (Files.size(dir(pid).resolve("maps")) > 0 || Files.readAllBytes(dir(pid).resolve("maps")).length > 0) {
                return false;
            }
            String stat = Files.readString(dir(pid).resolve("stat"), StandardCharsets.ISO_8859_1);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return pid != 2 && !"2".equals(f[1]);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static String userName(int uid) {
        try {
            for (String line : Files.readAllLines(Paths.get("/etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 2 && f[2].equals(Integer.toString(uid))) {
                    return f[0];
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "uid " + uid;
    }

    /** The JDK version a process runs, from the {@code release} file of the JDK its executable belongs to. */
    static String javaVersion(long pid) {
        try {
            Path exe = dir(pid).resolve("exe").toRealPath();
            Path release = exe.getParent().getParent().resolve("release");
            if (!Files.isRegularFile(release) || Files.size(release) > 65536) {
                return null; // another user's "JDK" may have a FIFO there
            }
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    return line.substring(13).replace("\"", "");
                }
            }
        } catch (IOException | RuntimeException e) {
            // another user's process, or a JDK without a release file
        }
        return null;
    }

    /**
     * The forensics agent in a process, seen from its open files: the JVM keeps the agent jar open (it is on the
     * boot class path), and the agent keeps its journal open. Null when there is none or we may not look. Only
     * regular files are opened, and through {@code /proc/<pid>/fd/<n>}, the very file the JVM holds rather than
     * whatever its name points to now: a FIFO named {@code *.jar} would block the open for ever. Callers still
     * bound the time this takes ({@code forensics list} does), since a name can change under us.
     */
    static Agent agent(long pid) {
        Status st = status(pid);
        long nsPid = st != null && st.nsPid() > 0 ? st.nsPid() : pid;
        String version = null;
        Path jar = null;
        Path outputDir = null;
        int seen = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(dir(pid).resolve("fd"))) {
            for (Path fd : fds) {
                if (++seen > 100_000) {
                    break;
                }
                Path target;
                try {
                    target = Files.readSymbolicLink(fd);
                } catch (IOException | RuntimeException e) {
                    continue;
                }
                String name =
                        target.getFileName() == null ? "" : target.getFileName().toString();
                if (version == null && name.endsWith(".jar")) {
                    String v = agentVersion(fd, target);
                    if (v != null) {
                        version = v;
                        jar = target;
                    }
                } else if (outputDir == null && isJournal(name, pid, nsPid)) {
                    outputDir = target.getParent();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return version == null ? null : new Agent(version, jar, outputDir);
    }

    /**
     * {@code journal-<pid>-<start>.log}, or {@code journal-<pid>.log} of older agents, with the pid as the JVM sees
     * it (1 in a container) or as we do. A journal removed from the disk shows as "… (deleted)" and is not taken.
     */
    static boolean isJournal(String name, long pid, long nsPid) {
        for (long p : new long[] {nsPid, pid}) {
            String head = "journal-" + p;
            if (name.startsWith(head)
                    && name.endsWith(".log")
                    && (name.length() == head.length() + 4 || name.charAt(head.length()) == '-')) {
                return true;
            }
        }
        return false;
    }

    /** The agent version of the jar a process holds open at {@code fd}, or null; only a regular file is opened. */
    static String agentVersion(Path fd, Path name) {
        try {
            BasicFileAttributes a = Files.readAttributes(fd, BasicFileAttributes.class); // the open file itself
            if (!a.isRegularFile() || a.size() > MAX_JAR_BYTES) {
                return null;
            }
            return agentVersion(fd, name + "|" + a.fileKey() + "|" + a.size() + "|" + a.lastModifiedTime());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The agent version when the jar is a forensics agent, else null; cached, as every JVM opens many jars. */
    static String agentVersion(Path jar) {
        try {
            BasicFileAttributes a = Files.readAttributes(jar, BasicFileAttributes.class);
            return a.isRegularFile() && a.size() <= MAX_JAR_BYTES
                    ? agentVersion(jar, jar.toAbsolutePath() + "|" + a.fileKey())
                    : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static synchronized String agentVersion(Path jar, String key) {
        String v = AGENT_JARS.computeIfAbsent(key, k -> {
            try (JarFile f = new JarFile(jar.toFile(), false)) {
                Attributes a = f.getManifest() == null ? null : f.getManifest().getMainAttributes();
                if (a != null && AGENT_CLASS.equals(a.getValue("Agent-Class"))) {
                    String version = a.getValue("Implementation-Version");
                    return version == null ? "dev" : version;
                }
            } catch (IOException | RuntimeException e) {
                // not readable, not a jar
            }
            return "";
        });
        return v.isEmpty() ? null : v;
    }
}
