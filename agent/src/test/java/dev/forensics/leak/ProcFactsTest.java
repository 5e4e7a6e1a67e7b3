package dev.forensics.leak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProcFactsTest {
    /** Lines as /proc/net/tcp prints them: state 08 is CLOSE_WAIT, 01 ESTABLISHED, 0A LISTEN; inode is column 10. */
    static final List<String> TCP = List.of(
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 0100007F:A1B2 0100007F:1F90 08 00000000:00000000 00:00000000 00000000  1000        0 123456 1 0000000000000000 20 4 30 10 -1",
            "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 777 1 0000000000000000 100 0 0 10 0",
            "   2: 0100007F:A1B3 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 888 1 0000000000000000 20 4 30 10 -1",
            "   3: 0100007F:A1B4 0100007F:1F90 08 00000000:00000000 00:00000000 00000000  1000        0 654321 1 0000000000000000 20 4 30 10 -1");

    @Test
    void closeWaitInodesAreReadFromTheStateColumn() {
        assertThat(ProcFacts.closeWaitInodes(TCP)).containsExactlyInAnyOrder(123456L, 654321L);
    }

    @Test
    void socketLinksNameTheirInode() {
        assertThat(ProcFacts.socketInode("socket:[123456]")).isEqualTo(123456L);
        assertThat(ProcFacts.socketInode("/tmp/x")).isEqualTo(-1);
        assertThat(ProcFacts.socketInode("pipe:[12]")).isEqualTo(-1);
    }

    @Test
    void thisProcessHasFileDescriptorsAndNoNegativeCounts() {
        assertThat(ProcFacts.openFileDescriptors()).isGreaterThan(2);
        assertThat(ProcFacts.closeWaitSockets()).isGreaterThanOrEqualTo(0);
    }
}
