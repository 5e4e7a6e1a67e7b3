package dev.forensics.leak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HealthTest {
    @Test
    void aFigureThatRisesAtEverySampleIsGrowingSteadily() {
        Health.Figure f = new Health.Figure("open response bodies", 5);
        boolean steady = false;
        for (long v : new long[] {10, 12, 14, 15, 17, 20}) {
            steady = f.add(v);
        }
        assertThat(steady).isTrue();
        assertThat(f.oldest()).isEqualTo(10);
    }

    @Test
    void aPauseOrASmallRiseIsNot() {
        Health.Figure paused = new Health.Figure("threads", 5);
        boolean steady = false;
        for (long v : new long[] {10, 12, 14, 14, 17, 20}) {
            steady = paused.add(v);
        }
        assertThat(steady).isFalse();
        Health.Figure small = new Health.Figure("threads", 50);
        for (long v : new long[] {10, 11, 12, 13, 14, 15}) {
            steady = small.add(v);
        }
        assertThat(steady).isFalse();
    }

    @Test
    void unavailableFiguresNeverWarn() {
        Health.Figure f = new Health.Figure("CLOSE_WAIT sockets", 1);
        boolean steady = false;
        for (int i = 0; i < 10; i++) {
            steady |= f.add(-1);
        }
        assertThat(steady).isFalse();
    }
}
