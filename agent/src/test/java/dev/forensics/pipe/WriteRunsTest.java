package dev.forensics.pipe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.bootstrap.PipeHooks;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class WriteRunsTest {
    private static final long MS = 1_000_000L;
    private static final WriteSite.Site A = new WriteSite.Site("com.acme.Relay.pump(Relay.java:42)", false, false);
    private static final WriteSite.Site B = new WriteSite.Site("com.acme.Relay.header(Relay.java:57)", false, false);

    private final WriteRuns runs = new WriteRuns(1000 * MS);

    private static InetSocketAddress peer(int last, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) last}), port);
    }

    @Test
    void aLoopAtOneSiteWalksItsFirstFailuresThenAboutOneInSixtyFour() throws Exception {
        WriteRuns.Run run = runs.start(PipeHooks.CHANNEL, peer(7, 5432), -1, A, 0);
        for (int i = 1; i < WriteRuns.EXACT; i++) {
            assertThat(run.walkDue()).as("failure " + (i + 1) + " of the run").isTrue();
            run.walked(A);
        }
        int walks = 0;
        for (int i = 0; i < 64_000; i++) {
            if (run.walkDue()) {
                walks++;
                run.walked(A);
            }
        }
        assertThat(walks).isBetween(500, 1500);
        assertThat(run.mixed()).isFalse();
        assertThat(run.site()).isEqualTo(A);
    }

    @Test
    void aRunSeenAtASecondSiteWalksEveryFailureAndKeepsEachSitesEntry() throws Exception {
        WriteFailures.Entry atA = new WriteFailures.Entry("k", "socket", "10.0.0.7:5432", A.frame());
        WriteFailures.Entry atB = new WriteFailures.Entry("k", "socket", "10.0.0.7:5432", B.frame());
        WriteRuns.Run run = runs.start(PipeHooks.SOCKET, peer(7, 0).getAddress(), 5432, A, 0);
        run.entry(atA);
        run.walked(B);
        assertThat(run.site()).isEqualTo(B);
        assertThat(run.entry()).as("B's entry is looked up once").isNull();
        run.entry(atB);
        run.walked(A);
        assertThat(run.site()).isEqualTo(A);
        assertThat(run.entry()).isSameAs(atA);
        run.walked(B);
        assertThat(run.entry()).isSameAs(atB);
        assertThat(run.mixed()).isTrue();
        for (int i = 0; i < 1000; i++) {
            assertThat(run.walkDue()).isTrue();
        }
    }

    @Test
    void aMixedRunKeepsTheEntriesOfItsFourMostRecentSites() throws Exception {
        WriteSite.Site[] sites = new WriteSite.Site[5];
        WriteFailures.Entry[] entries = new WriteFailures.Entry[5];
        for (int i = 0; i < sites.length; i++) {
            sites[i] = new WriteSite.Site("com.acme.Relay.part" + i + "(Relay.java:" + (10 + i) + ")", false, false);
            entries[i] = new WriteFailures.Entry("k" + i, "socket", "10.0.0.7:5432", sites[i].frame());
        }
        WriteRuns.Run run = runs.start(PipeHooks.SOCKET, peer(7, 0).getAddress(), 5432, sites[0], 0);
        run.entry(entries[0]);
        for (int i = 1; i < 4; i++) {
            run.walked(sites[i]);
            assertThat(run.entry()).isNull();
            run.entry(entries[i]);
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 4; i++) {
                run.walked(sites[i]);
                assertThat(run.site()).isEqualTo(sites[i]);
                assertThat(run.entry()).as("round " + round + ", site " + i).isSameAs(entries[i]);
            }
        }
        run.walked(sites[4]); // a fifth site: the least recent (site 0) is let go
        assertThat(run.entry()).isNull();
        run.entry(entries[4]);
        run.walked(sites[0]);
        assertThat(run.entry()).isNull();
        run.walked(sites[4]);
        assertThat(run.entry()).isSameAs(entries[4]);
    }

    @Test
    void aRunIsFoundByThePeersValueLayerAndPortUntilItWentQuiet() throws Exception {
        WriteRuns.Run run = runs.start(PipeHooks.CHANNEL, peer(7, 5432), -1, A, 0);
        assertThat(runs.find(PipeHooks.CHANNEL, peer(7, 5432), -1, 500 * MS)).as("a reconnect to the same peer").isSameAs(run);
        assertThat(runs.find(PipeHooks.CHANNEL, peer(7, 5433), -1, 500 * MS)).isNull();
        assertThat(runs.find(PipeHooks.CHANNEL, peer(8, 5432), -1, 500 * MS)).isNull();
        assertThat(runs.find(PipeHooks.SOCKET, peer(7, 5432), -1, 500 * MS)).isNull();
        run.lastNanos = 500 * MS;
        assertThat(runs.find(PipeHooks.CHANNEL, peer(7, 5432), -1, 1400 * MS)).isSameAs(run);
        assertThat(runs.find(PipeHooks.CHANNEL, peer(7, 5432), -1, 1600 * MS)).as("quiet for a window: judged afresh").isNull();
        WriteRuns.Run again = runs.start(PipeHooks.CHANNEL, peer(7, 5432), -1, B, 1600 * MS);
        assertThat(runs.find(PipeHooks.CHANNEL, peer(7, 5432), -1, 1700 * MS)).isSameAs(again);
    }

    @Test
    void aThreadWritingToManyPeersKeepsARunForEach() throws Exception {
        WriteRuns.Run[] started = new WriteRuns.Run[WriteRuns.SLOTS / 2];
        for (int i = 0; i < started.length; i++) {
            started[i] = runs.start(PipeHooks.CHANNEL, peer(i, 5432), -1, A, i);
        }
        for (int i = 0; i < started.length; i++) {
            assertThat(runs.find(PipeHooks.CHANNEL, peer(i, 5432), -1, 100)).as("peer " + i).isSameAs(started[i]);
        }
    }

    @Test
    void theRunsOfOneThreadAreNotAnothersRuns() throws Exception {
        runs.start(PipeHooks.CHANNEL, peer(7, 5432), -1, A, 0);
        WriteRuns.Run[] seen = new WriteRuns.Run[1];
        Thread t = new Thread(() -> {
            try {
                seen[0] = runs.find(PipeHooks.CHANNEL, peer(7, 5432), -1, 0);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        t.start();
        t.join();
        assertThat(seen[0]).isNull();
    }
}
