package dev.forensics.termination;

import dev.forensics.report.Clock;
import dev.forensics.report.Redaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words a person reads first: one sentence per way a JVM can end, and the record lines behind it. Sender
 * command lines are redacted and bounded here, the one place they turn into text.
 */
final class Verdicts {
    static final int VERDICT_COMMAND_MAX = 160;
    static final int RECORD_COMMAND_MAX = 1000;

    private Verdicts() {}

    static String signalName(int signo) {
        switch (signo) {
            case 1:
                return "SIGHUP";
            case 2:
                return "SIGINT";
            case 3:
                return "SIGQUIT";
            case 9:
                return "SIGKILL";
            case 15:
                return "SIGTERM";
            default:
                return "signal " + signo;
        }
    }

    static String clock(long epochMillis) {
        return Clock.timeOfDay(epochMillis);
    }

    static String full(Instant at) {
        return Clock.timestampMicros(at.getEpochSecond(), at.getNano());
    }

    /** {@code SIGTERM from pid 4242 (bash /opt/deploy.sh, parent sshd: root@pts/0) at 12:03:11.284}, and its kin. */
    static String signal(SignalRecord r, long ownPid) {
        String name = signalName(r.signo());
        String at = " at " + clock(r.realNanos() / 1_000_000);
        if (r.fromKernel()) {
            if (r.signo() == 1) {
                return name + " from the kernel: the controlling terminal hung up" + at;
            }
            if (r.signo() == 2) {
                return name + " from the kernel: Ctrl-C (the interrupt key) on the controlling terminal" + at;
            }
            return name + " from the kernel" + at;
        }
        if (r.fromProcess() && r.pid() == 0) {
            return name + " from outside this JVM's pid namespace (sender pid 0, uid " + r.uid()
                    + ": a container runtime or the host)" + at;
        }
        if (r.pid() == ownPid) {
            return name + " sent by this JVM itself (pid " + ownPid + ")" + at;
        }
        if (r.pid() > 0) {
            StringBuilder sb =
                    new StringBuilder(name).append(" from pid ").append(r.pid()).append(" (");
            String sender = r.senderShort();
            sb.append(sender.isEmpty() ? "exited before it could be identified, uid " + r.uid() : sender);
            String parent = r.parentShort();
            if (!parent.isEmpty()) {
                sb.append(", parent ").append(parent);
            }
            return sb.append(')').append(at).toString();
        }
        return name + " (" + r.codeName() + ", sender pid " + r.pid() + ")" + at;
    }

    static String signalUnknown(int signo, String reason, long epochMillis) {
        return signalName(signo) + " at " + clock(epochMillis) + "; sender unknown (" + reason + ")";
    }

    /** The full record behind a signal verdict, one fact per line. */
    static List<String> signalDetails(SignalRecord r, long ownPid) {
        List<String> out = new ArrayList<>();
        out.add("signal: " + signalName(r.signo()) + " (" + r.signo() + "), " + r.codeName() + "; "
                + signalName(r.signo()) + " received " + r.count() + (r.count() == 1 ? " time" : " times") + " so far");
        if (r.fromProcess()) {
            if (r.pid() == 0) {
                out.add("sender: pid 0 with SI_USER: the sender is outside this JVM's pid namespace (uid " + r.uid()
                        + ")");
            } else {
                out.add("sender: pid " + r.pid() + (r.pid() == ownPid ? " (this JVM)" : "") + ", uid " + r.uid()
                        + user(r.uid()));
                String cmd = r.command();
                out.add("sender command: "
                        + (cmd.isEmpty()
                                ? "(gone before /proc could be read)"
                                : cmd + (r.argsTruncated() ? " [truncated]" : "")));
                if (!r.comm().isEmpty()) {
                    out.add("sender name: " + Redaction.text(r.comm()));
                }
                if (r.ppid() > 0) {
                    String pcmd = r.parentCommand();
                    out.add("sender's parent: pid " + r.ppid()
                            + (r.parentComm().isEmpty() ? "" : " (" + Redaction.text(r.parentComm()) + ")")
                            + (pcmd.isEmpty()
                                    ? ""
                                    : ", command: " + pcmd + (r.parentArgsTruncated() ? " [truncated]" : "")));
                }
            }
        } else if (r.fromKernel()) {
            out.add("sender: the kernel (si_code SI_KERNEL, pid 0)"
                    + (r.signo() == 1
                            ? ": the controlling terminal hung up (SSH disconnect, closed terminal window)"
                            : ""));
        } else {
            out.add("sender: pid " + r.pid() + ", uid " + r.uid());
        }
        out.add("received: " + full(Instant.ofEpochSecond(0, r.realNanos())) + " on native thread " + r.tid()
                + " (CLOCK_MONOTONIC " + r.monoNanos() / 1_000_000_000 + "." + pad(r.monoNanos() / 1000 % 1_000_000, 6)
                + " s)");
        return out;
    }

    /** {@code System.exit(3) called by com.acme.Lib.shutdown(Lib.java:12) on thread "library-thread"}. */
    static String exit(int status, boolean halt, String caller, String thread) {
        return (halt ? "Runtime.halt(" : "System.exit(") + status + ") called by "
                + (caller == null ? "unknown code" : caller) + " on thread \"" + thread + "\"";
    }

    /** A redacted, bounded command line, else the process name, else "". */
    static String command(List<String> args, String comm, int max) {
        if (args != null && !args.isEmpty()) {
            return bounded(Redaction.commandLine(args.toArray(new String[0])), max);
        }
        return comm == null || comm.isEmpty() ? "" : bounded(Redaction.text(comm), max);
    }

    static String bounded(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        return s.substring(0, Math.max(0, max - 1)) + "…";
    }

    private static volatile Map<Integer, String> users;

    /** Reads /etc/passwd (bounded) once, off the critical path, so naming a sender's uid at death is a lookup. */
    static void loadUsers() {
        Map<Integer, String> m = new HashMap<>();
        try {
            List<String> lines = Files.readAllLines(Paths.get("/etc/passwd"), StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size() && m.size() < 10_000; i++) {
                String[] f = lines.get(i).split(":", 4);
                if (f.length >= 3) {
                    m.putIfAbsent(Integer.valueOf(f[2]), f[0]);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // No passwd file (distroless image): uids alone are the facts.
        }
        users = m;
    }

    /** " (alice)" for a uid found in /etc/passwd, else "". */
    static String user(int uid) {
        if (users == null) {
            loadUsers();
        }
        String name = users.get(uid);
        return name == null ? "" : " (" + name + ")";
    }

    /** {@code 1h 02m 03.456s}, {@code 3.456s}; by hand, as String.format is slow in a cold JVM. */
    static String duration(long millis) {
        long h = millis / 3_600_000;
        long m = millis / 60_000 % 60;
        long s = millis / 1000 % 60;
        String sec = (h > 0 || m > 0 ? pad(s, 2) : Long.toString(s)) + "." + pad(millis % 1000, 3) + "s";
        if (h > 0) {
            return h + "h " + pad(m, 2) + "m " + sec;
        }
        return m > 0 ? m + "m " + sec : sec;
    }

    /** Nanoseconds as milliseconds with one decimal: {@code 3.2}. */
    static String millis(long nanos) {
        long tenths = Math.max(0, nanos) / 100_000;
        return tenths / 10 + "." + tenths % 10;
    }

    static String pad(long value, int width) {
        String s = Long.toString(value);
        StringBuilder sb = new StringBuilder(width);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s).toString();
    }
}
