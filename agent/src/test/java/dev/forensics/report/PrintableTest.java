package dev.forensics.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void controlCharactersBecomeVisibleEscapes() {
        assertThat(Printable.line("a\nb\r\u001b[31mred\u001b[0m\u0007")).isEqualTo("a\\nb\\r\\x1b[31mred\\x1b[0m\\x07");
        assertThat(Printable.line("\u009b2J \u007f")).isEqualTo("\\x9b2J \\x7f");
        assertThat(Printable.line("user \u202egnp.exe \u2028next")).isEqualTo("user \\u202egnp.exe \\u2028next");
    }

    @Test
    void cleanTextIsTheSameStringAndTabsAndUnicodeStay() {
        String clean = "SIGTERM from pid 42 (systemd) — naïve 東京\tok";
        assertThat(Printable.line(clean)).isSameAs(clean);
        assertThat(Printable.line(null)).isEqualTo("null");
    }
}
