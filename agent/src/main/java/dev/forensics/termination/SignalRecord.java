package dev.forensics.termination;

import static dev.forensics.termination.NativeSignals.CMD_MAX;
import static dev.forensics.termination.NativeSignals.F_CMD_LEN;
import static dev.forensics.termination.NativeSignals.F_CODE;
import static dev.forensics.termination.NativeSignals.F_COMM_LEN;
import static dev.forensics.termination.NativeSignals.F_COUNT;
import static dev.forensics.termination.NativeSignals.F_INDEX;
import static dev.forensics.termination.NativeSignals.F_MONO_NS;
import static dev.forensics.termination.NativeSignals.F_PARENT_CMD_LEN;
import static dev.forensics.termination.NativeSignals.F_PARENT_COMM_LEN;
import static dev.forensics.termination.NativeSignals.F_PID;
import static dev.forensics.termination.NativeSignals.F_PPID;
import static dev.forensics.termination.NativeSignals.F_REAL_NS;
import static dev.forensics.termination.NativeSignals.F_SIGNO;
import static dev.forensics.termination.NativeSignals.F_TID;
import static dev.forensics.termination.NativeSignals.F_UID;
import static dev.forensics.termination.NativeSignals.T_CMD;
import static dev.forensics.termination.NativeSignals.T_COMM;
import static dev.forensics.termination.NativeSignals.T_PARENT_CMD;
import static dev.forensics.termination.NativeSignals.T_PARENT_COMM;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One delivery of a signal as the native handler saw it: the kernel's facts (signal, si_code, sender pid and uid,
 * receiving thread, clocks) and what {@code /proc} still said about the sender and its parent at that instant.
 * {@code args} are raw; {@code command} and {@code parentCommand} are the same redacted and bounded, computed once
 * (redaction runs regular expressions, slow in a JVM that has not warmed them up), and the only forms written.
 */
record SignalRecord(
        long index,
        int signo,
        int code,
        int pid,
        int uid,
        int tid,
        int ppid,
        long realNanos,
        long monoNanos,
        long count,
        String comm,
        List<String> args,
        boolean argsTruncated,
        String parentComm,
        List<String> parentArgs,
        boolean parentArgsTruncated,
        String command,
        String parentCommand) {

    static final int SI_USER = 0;
    static final int SI_KERNEL = 0x80;
    static final int SI_QUEUE = -1;
    static final int SI_TKILL = -6;

    static SignalRecord of(long[] n, byte[] text) {
        int cmdLen = (int) n[F_CMD_LEN];
        int parentCmdLen = (int) n[F_PARENT_CMD_LEN];
        return create(
                n[F_INDEX],
                (int) n[F_SIGNO],
                (int) n[F_CODE],
                (int) n[F_PID],
                (int) n[F_UID],
                (int) n[F_TID],
                (int) n[F_PPID],
                n[F_REAL_NS],
                n[F_MONO_NS],
                n[F_COUNT],
                string(text, T_COMM, (int) n[F_COMM_LEN]),
                args(text, T_CMD, cmdLen),
                cmdLen >= CMD_MAX,
                string(text, T_PARENT_COMM, (int) n[F_PARENT_COMM_LEN]),
                args(text, T_PARENT_CMD, parentCmdLen),
                parentCmdLen >= CMD_MAX);
    }

    static SignalRecord create(
            long index,
            int signo,
            int code,
            int pid,
            int uid,
            int tid,
            int ppid,
            long realNanos,
            long monoNanos,
            long count,
            String comm,
            List<String> args,
            boolean argsTruncated,
            String parentComm,
            List<String> parentArgs,
            boolean parentArgsTruncated) {
        return new SignalRecord(
                index,
                signo,
                code,
                pid,
                uid,
                tid,
                ppid,
                realNanos,
                monoNanos,
                count,
                comm,
                args,
                argsTruncated,
                parentComm,
                parentArgs,
                parentArgsTruncated,
                Verdicts.command(args, "", Verdicts.RECORD_COMMAND_MAX),
                Verdicts.command(parentArgs, "", Verdicts.RECORD_COMMAND_MAX));
    }

    /** The sender as the verdict names it: its command line, else its name, bounded; "" when nothing is known. */
    String senderShort() {
        return !command.isEmpty()
                ? Verdicts.bounded(command, Verdicts.VERDICT_COMMAND_MAX)
                : comm.isEmpty()
                        ? ""
                        : Verdicts.bounded(dev.forensics.report.Redaction.text(comm), Verdicts.VERDICT_COMMAND_MAX);
    }

    String parentShort() {
        return !parentCommand.isEmpty()
                ? Verdicts.bounded(parentCommand, Verdicts.VERDICT_COMMAND_MAX)
                : parentComm.isEmpty()
                        ? ""
                        : Verdicts.bounded(
                                dev.forensics.report.Redaction.text(parentComm), Verdicts.VERDICT_COMMAND_MAX);
    }

    /** A kill(2), sigqueue(3) or tgkill(2) by a process; pid 0 then means the sender is outside our pid namespace. */
    boolean fromProcess() {
        return code == SI_USER || code == SI_QUEUE || code == SI_TKILL;
    }

    boolean fromKernel() {
        return code == SI_KERNEL;
    }

    String codeName() {
        switch (code) {
            case SI_USER:
                return "SI_USER (kill)";
            case SI_KERNEL:
                return "SI_KERNEL (sent by the kernel)";
            case SI_QUEUE:
                return "SI_QUEUE (sigqueue)";
            case SI_TKILL:
                return "SI_TKILL (tgkill)";
            default:
                return "si_code " + code;
        }
    }

    private static String string(byte[] text, int offset, int len) {
        int n = Math.max(0, Math.min(len, text.length - offset));
        return new String(text, offset, n, StandardCharsets.UTF_8);
    }

    /** /proc/pid/cmdline: arguments separated (and ended) by NUL. */
    static List<String> args(byte[] text, int offset, int len) {
        int end = offset + Math.max(0, Math.min(len, text.length - offset));
        List<String> out = new ArrayList<>();
        int start = offset;
        for (int i = offset; i < end; i++) {
            if (text[i] == 0) {
                out.add(new String(text, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < end) {
            out.add(new String(text, start, end - start, StandardCharsets.UTF_8));
        }
        return Collections.unmodifiableList(out);
    }
}
