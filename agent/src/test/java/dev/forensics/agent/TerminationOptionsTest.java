package dev.forensics.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminationOptionsTest {
    @Test
    void terminationLogTakesAPathOrOff() {
        assertThat(AgentOptions.parse("terminationLog=/tmp/k8s/termination-log").problems()).isEmpty();
        assertThat(AgentOptions.parse("terminationLog=/tmp/k8s/termination-log").raw("terminationLog")).isEqualTo("/tmp/k8s/termination-log");
        assertThat(AgentOptions.parse("terminationLog=off").raw("terminationLog")).isEqualTo("off");
        assertThat(AgentOptions.parse("terminationLog=").problemLine()).contains("'terminationLog' needs a value");
        assertThat(AgentOptions.parse(null).raw("terminationLog")).as("default: /dev/termination-log, decided by Termination").isNull();
    }
}
