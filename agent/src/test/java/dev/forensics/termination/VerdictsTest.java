package dev.forensics.termination;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictsTest {
    static final long OWN_PID = 1000;
    static final long AT = 1_700_000_000_123L * 1_000_000; // ns

    static SignalRecord record(int signo, int code, int pid, String[] args, String comm, int ppid, String[] parentArgs, String parentComm) {
        return SignalRecord.create(1, signo, code, pid, 0, 1000, ppid, AT, 5_000_000_000L, 1, comm, List.of(args), false, parentComm,
                List.of(parentArgs), false);
    }

    @Test
    void aSignalFromAProcessNamesItsCommandAndParent() {
        SignalRecord r = record(15, SignalRecord.SI_USER, 4242, new String[] {"bash", "/opt/deploy.sh"}, "deploy.sh", 4200,
                new String[] {"sshd: root@pts/0"}, "sshd");
        assertThat(Verdicts.signal(r, OWN_PID)).matches("SIGTERM from pid 4242 \\(bash /opt/deploy\\.sh, parent sshd: root@pts/0\\) at \\d\\d:\\d\\d:\\d\\d\\.123");
    }

    @Test
    void aSenderThatExitedBeforeProcCouldBeReadIsNamedByPidAndUid() {
        SignalRecord r = record(15, SignalRecord.SI_USER, 4242, new String[0], "", 0, new String[0], "");
        assertThat(Verdicts.signal(r, OWN_PID)).startsWith("SIGTERM from pid 4242 (exited before it could be identified, uid 0) at ");
        assertThat(Verdicts.signalDetails(r, OWN_PID)).contains("sender command: (gone before /proc could be read)");
    }

    @Test
    void aZombieSenderIsNamedByItsProcessName() {
        SignalRecord r = record(2, SignalRecord.SI_USER, 4242, new String[0], "stop.sh", 4200, new String[] {"make", "stop"}, "make");
        assertThat(Verdicts.signal(r, OWN_PID)).startsWith("SIGINT from pid 4242 (stop.sh, parent make stop) at ");
    }

    @Test
    void theKernelHangsUpTheTerminalOrDeliversCtrlC() {
        assertThat(Verdicts.signal(record(1, SignalRecord.SI_KERNEL, 0, new String[0], "", 0, new String[0], ""), OWN_PID))
                .startsWith("SIGHUP from the kernel: the controlling terminal hung up at ");
        assertThat(Verdicts.signal(record(2, SignalRecord.SI_KERNEL, 0, new String[0], "", 0, new String[0], ""), OWN_PID))
                .startsWith("SIGINT from the kernel: Ctrl-C (the interrupt key) on the controlling terminal at ");
    }

    @Test
    void pidZeroWithSiUserIsASenderOutsideOurPidNamespace() {
        assertThat(Verdicts.signal(record(15, SignalRecord.SI_USER, 0, new String[0], "", 0, new String[0], ""), OWN_PID))
                .startsWith("SIGTERM from outside this JVM's pid namespace (sender pid 0, uid 0: a container runtime or the host) at ");
    }

    @Test
    void aSignalTheJvmSentItselfSaysSo() {
        assertThat(Verdicts.signal(record(15, SignalRecord.SI_TKILL, (int) OWN_PID, new String[] {"java"}, "java", 1, new String[0], ""), OWN_PID))
                .startsWith("SIGTERM sent by this JVM itself (pid 1000) at ");
    }

    @Test
    void senderCommandLinesAreRedactedAndBounded() {
        String[] args = {"deploy", "--password=hunter2", "--token", "abc123", "Authorization: Bearer xyz", "x".repeat(400)};
        SignalRecord r = record(15, SignalRecord.SI_USER, 4242, args, "deploy", 1, new String[] {"init"}, "init");
        String verdict = Verdicts.signal(r, OWN_PID);
        assertThat(verdict).doesNotContain("hunter2").doesNotContain("abc123").doesNotContain("xyz").contains("--password=***");
        assertThat(verdict.length()).isLessThan(Verdicts.VERDICT_COMMAND_MAX * 2 + 100);
        assertThat(String.join("\n", Verdicts.signalDetails(r, OWN_PID))).doesNotContain("hunter2").doesNotContain("abc123");
    }

    @Test
    void unknownSendersSayWhy() {
        assertThat(Verdicts.signalUnknown(15, "no signal shim for linux-riscv64 in this build", 0))
                .matches("SIGTERM at \\d\\d:\\d\\d:\\d\\d\\.000; sender unknown \\(no signal shim for linux-riscv64 in this build\\)");
    }

    @Test
    void exitVerdictNamesCallerAndThread() {
        assertThat(Verdicts.exit(3, false, "com.acme.Lib.shutdown(Lib.java:12)", "library-thread"))
                .isEqualTo("System.exit(3) called by com.acme.Lib.shutdown(Lib.java:12) on thread \"library-thread\"");
        assertThat(Verdicts.exit(1, true, null, "main")).isEqualTo("Runtime.halt(1) called by unknown code on thread \"main\"");
    }

    @Test
    void durationsReadLikeAClock() {
        assertThat(Verdicts.duration(3456)).isEqualTo("3.456s");
        assertThat(Verdicts.duration(62_003)).isEqualTo("1m 02.003s");
        assertThat(Verdicts.duration(3_723_004)).isEqualTo("1h 02m 03.004s");
    }

    @Test
    void procCmdlineSplitsOnNulAndKeepsATruncatedLastArgument() {
        byte[] bytes = "sh\0/opt/stop.sh\0--fast\0".getBytes(StandardCharsets.UTF_8);
        assertThat(SignalRecord.args(bytes, 0, bytes.length)).containsExactly("sh", "/opt/stop.sh", "--fast");
        assertThat(SignalRecord.args(bytes, 0, 8)).containsExactly("sh", "/opt/");
        assertThat(SignalRecord.args(bytes, 0, 0)).isEmpty();
    }

    @Test
    void aRecordIsReadFromTheShimsArrays() {
        long[] n = new long[NativeSignals.F_FIELDS];
        n[NativeSignals.F_SIGNO] = 15;
        n[NativeSignals.F_PID] = 77;
        n[NativeSignals.F_CMD_LEN] = NativeSignals.CMD_MAX;
        n[NativeSignals.F_COMM_LEN] = 2;
        byte[] text = new byte[NativeSignals.T_SIZE];
        text[NativeSignals.T_COMM] = 's';
        text[NativeSignals.T_COMM + 1] = 'h';
        SignalRecord r = SignalRecord.of(n, text);
        assertThat(r.signo()).isEqualTo(15);
        assertThat(r.pid()).isEqualTo(77);
        assertThat(r.comm()).isEqualTo("sh");
        assertThat(r.argsTruncated()).as("a command line filling the buffer was cut").isTrue();
    }
}
