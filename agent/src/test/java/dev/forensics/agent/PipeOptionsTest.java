package dev.forensics.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PipeOptionsTest {

    @Test
    void pipeOptionsDefaultToOnAndTakeGoodValues() {
        AgentOptions defaults = AgentOptions.defaults();
        assertThat(defaults.feature("pipes")).isTrue();
        assertThat(defaults.feature("stdstreams")).isTrue();
        AgentOptions o = AgentOptions.parse("pipes=off,stdstreams=off,pipeLoopFailures=5,pipeLoopWindow=500ms");
        assertThat(o.problems()).isEmpty();
        assertThat(o.feature("pipes")).isFalse();
        assertThat(o.feature("stdstreams")).isFalse();
        assertThat(o.raw("pipeLoopFailures")).isEqualTo("5");
        assertThat(o.raw("pipeLoopWindow")).isEqualTo("500ms");
    }

    @Test
    void badPipeOptionsAreNamedAndKeepTheirDefaults() {
        AgentOptions o = AgentOptions.parse("pipes=maybe,pipeLoopFailures=0,pipeLoopWindow=10ms,stdstreams=yes");
        assertThat(o.problems()).hasSize(4);
        assertThat(o.problemLine()).contains("'pipes'").contains("'pipeLoopFailures': expected a whole number from 1")
                .contains("'pipeLoopWindow': expected a duration from 100ms to 1h").contains("'stdstreams'");
        assertThat(o.feature("pipes")).isTrue();
        assertThat(o.raw("pipeLoopFailures")).isNull();
        assertThat(AgentOptions.parse("pipeLoopWindow=2h").problems()).hasSize(1);
        assertThat(AgentOptions.parse("pipeLoopFailures=x").problems()).hasSize(1);
    }
}
