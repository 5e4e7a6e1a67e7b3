package dev.forensics.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgentCommandTest {

    @Test
    void aRequestRoundTripsThroughItsOneLineForm() {
        AgentCommand c = AgentCommand.of("jfr-start", "format", "json", "file", "/tmp/a b/x.jfr", "maxAge", "1h", "maxSize", "64m", "absent", null);
        assertThat(c.problem()).isNull();
        assertThat(c.format()).isEqualTo("command=jfr-start;format=json;file=/tmp/a b/x.jfr;maxAge=1h;maxSize=64m");
        AgentCommand back = AgentCommand.parse(c.format() + "\n");
        assertThat(back).isEqualTo(c);
        assertThat(back.json()).isTrue();
        assertThat(back.file()).isEqualTo(Paths.get("/tmp/a b/x.jfr"));
        assertThat(back.maxAge()).isEqualTo(Duration.ofHours(1));
        assertThat(back.maxSize()).isEqualTo(64L << 20);
    }

    @Test
    void badRequestsAreRejectedWithOneLineSayingWhy() {
        assertThatThrownBy(() -> AgentCommand.parse("command=format-disk")).hasMessageContaining("unknown command 'format-disk'");
        assertThatThrownBy(() -> AgentCommand.parse("report")).hasMessageContaining("starts with command=");
        assertThatThrownBy(() -> AgentCommand.parse(null)).hasMessageContaining("starts with command=");
        assertThatThrownBy(() -> AgentCommand.parse("command=jfr-dump;file=relative.jfr")).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> AgentCommand.parse("command=report;file=/tmp/x")).hasMessageContaining("jfr commands only");
        assertThatThrownBy(() -> AgentCommand.parse("command=report;format=xml")).hasMessageContaining("text or json");
        assertThatThrownBy(() -> AgentCommand.parse("command=status;wait=2h")).hasMessageContaining("at most 60s");
        assertThatThrownBy(() -> AgentCommand.parse("command=report;colour=blue")).hasMessageContaining("unknown key 'colour'");
        assertThatThrownBy(() -> AgentCommand.parse("command=report;format=json;format=text")).hasMessageContaining("given twice");
        assertThatThrownBy(() -> AgentCommand.parse("command=jfr-start;maxSize=10k")).hasMessageContaining("at least 1m");
        assertThatThrownBy(() -> AgentCommand.parse("command=report\ncommand=jfr-stop")).hasMessageContaining("one line");
        assertThatThrownBy(() -> AgentCommand.parse("command=report;" + "x".repeat(5000))).hasMessageContaining("one line of at most");
        assertThat(AgentCommand.of("report", "format", "a;b").problem()).contains("may not contain ';'");
    }
}
