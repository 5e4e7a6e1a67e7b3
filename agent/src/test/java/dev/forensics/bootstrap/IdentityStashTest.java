package dev.forensics.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentityStashTest {
    @Test
    void keysAreByIdentityAndRemovedOnce() {
        IdentityStash<String> s = new IdentityStash<>(10);
        String a = new String("k");
        String b = new String("k");
        s.put(a, "A");
        s.put(b, "B");
        assertThat(s.get(a)).isEqualTo("A");
        assertThat(s.remove(b)).isEqualTo("B");
        assertThat(s.remove(b)).isNull();
        assertThat(s.size()).isEqualTo(1);
    }

    @Test
    void overflowIsCountedNotStored() {
        IdentityStash<Integer> s = new IdentityStash<>(10);
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            Object k = new Object();
            keys.add(k);
            s.put(k, i);
        }
        assertThat(s.size()).isEqualTo(10);
        assertThat(s.dropped()).isEqualTo(5);
    }

    @Test
    void collectedKeysLeaveNothingBehind() throws Exception {
        IdentityStash<Integer> s = new IdentityStash<>(100_000);
        for (int i = 0; i < 1000; i++) {
            s.put(new Object(), i);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (s.size() > 1 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
            s.put(new Object(), -1); // puts expunge what the collector cleared
        }
        assertThat(s.size()).isLessThanOrEqualTo(1);
    }
}
