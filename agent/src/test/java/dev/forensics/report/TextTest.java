package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {
    @Test
    void fieldsOfAProcLine() {
        assertThat(Text.field("\t1000\t1001\t1000\t1000", 1)).isEqualTo("1001");
        assertThat(Text.field("  0 0  0 0", 0)).isEqualTo("0");
        assertThat(Text.field("a b", 2)).isEmpty();
        assertThat(Text.field("", 0)).isEmpty();
    }
}
