package dev.forensics.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

class PipeFormatTest {

    @Test
    void failuresAreClassifiedByWhatLinuxSaid() {
        assertThat(FailureKind.of(new SocketException("Broken pipe"))).isEqualTo(FailureKind.BROKEN_PIPE);
        assertThat(FailureKind.of(new IOException("Broken pipe"))).isEqualTo(FailureKind.BROKEN_PIPE);
        assertThat(FailureKind.of(new SocketException("Connection reset by peer"))).isEqualTo(FailureKind.RESET);
        assertThat(FailureKind.of(new SocketException("Socket closed"))).isEqualTo(FailureKind.CLOSED);
        assertThat(FailureKind.of(new SocketException("Connection or outbound has closed"))).isEqualTo(FailureKind.CLOSED);
        assertThat(FailureKind.of(new ClosedChannelException())).isEqualTo(FailureKind.CLOSED);
        assertThat(FailureKind.of(new AsynchronousCloseException())).isEqualTo(FailureKind.CLOSED);
        assertThat(FailureKind.of(new SSLException("wrapped", new SocketException("Broken pipe")))).isEqualTo(FailureKind.BROKEN_PIPE);
        assertThat(FailureKind.of(new IOException("No route to host"))).isEqualTo(FailureKind.OTHER);
        assertThat(FailureKind.of(new IndexOutOfBoundsException())).as("a bad argument is not a vanished peer").isNull();
        assertThat(FailureKind.message(new SSLException(null, new SocketException("Broken pipe")))).isEqualTo("Broken pipe");
    }

    @Test
    void aVerdictRememberedForOneMessageIsNotGivenToAnother() {
        for (int i = 0; i < 3; i++) { // the second round on comes from the remembered verdicts
            assertThat(FailureKind.of(new SocketException(new String("Broken pipe")))).isEqualTo(FailureKind.BROKEN_PIPE);
            assertThat(FailureKind.of(new SocketException(new String("Connection reset")))).isEqualTo(FailureKind.RESET);
            assertThat(FailureKind.of(new SocketException("Socket closed"))).isEqualTo(FailureKind.CLOSED);
            assertThat(FailureKind.of(new IOException("Broken pipe"))).isEqualTo(FailureKind.BROKEN_PIPE);
            assertThat(FailureKind.of(new IOException("Connection reset"))).isEqualTo(FailureKind.RESET);
            assertThat(FailureKind.of(new SocketException(null))).isEqualTo(FailureKind.OTHER);
            assertThat(FailureKind.of(new ClosedChannelException())).isEqualTo(FailureKind.CLOSED);
            assertThat(FailureKind.of(new IOException("wrapped", new SocketException("Broken pipe")))).as("a cause is looked at each time")
                    .isEqualTo(FailureKind.BROKEN_PIPE);
        }
    }

    @Test
    void peersAreAddressLiteralsWhateverTheHostNameCache() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertThat(PipeRecorder.peer(loopback, 8080)).isEqualTo("127.0.0.1:8080");
        loopback.getHostName(); // what JFR's socket events do; toString() now starts with the name
        assertThat(PipeRecorder.peer(loopback, 8080)).isEqualTo("127.0.0.1:8080");
        assertThat(PipeRecorder.peer(new InetSocketAddress(loopback, 443), -1)).isEqualTo("127.0.0.1:443");
        assertThat(PipeRecorder.peer(InetAddress.getByName("::1"), 22)).isEqualTo("[0:0:0:0:0:0:0:1]:22");
        assertThat(PipeRecorder.peer(InetSocketAddress.createUnresolved("db.example", 5432), -1)).isEqualTo("db.example:5432");
        assertThat(PipeRecorder.peer(null, -1)).isEqualTo("unconnected socket");
    }

    @Test
    void stdStreamTargetsAreNamedForWhatTheyWere() {
        assertThat(StdStreams.kind("pipe:[12345]")).isEqualTo("pipe");
        assertThat(StdStreams.kind("/dev/pts/3")).isEqualTo("terminal");
        assertThat(StdStreams.kind("socket:[99]")).isEqualTo("socket");
        assertThat(StdStreams.kind("/var/log/app.out")).isEqualTo("file");
        assertThat(StdStreams.kind("/dev/null")).isEqualTo("/dev/null");
        assertThat(StdStreams.kind(null)).isEqualTo("unknown");
        String m = StdStreams.message(new StdStreams.Broken("stdout", 1, "terminal", "/dev/pts/3", "Input/output error", "A.main(A.java:3)", 0));
        assertThat(m).startsWith("stdout (fd 1) is broken since ").contains("a terminal (/dev/pts/3) that hung up")
                .contains("System.out swallows the error").endsWith("First failed write: A.main(A.java:3)");
    }

    @Test
    void durationsAndRatesReadNaturally() {
        assertThat(PipeRecorder.duration(412_000_000L)).isEqualTo("412 ms");
        assertThat(PipeRecorder.duration(75_000_000_000L)).isEqualTo("75.0 s");
        assertThat(PipeRecorder.duration(1_800_000_000_000L)).isEqualTo("30.0 min");
        assertThat(PipeRecorder.rate(12345.6)).isEqualTo("12346/s");
        assertThat(PipeRecorder.rate(0.25)).isEqualTo("0.3/s");
    }
}
