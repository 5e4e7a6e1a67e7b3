package dev.forensics.testing;

import static org.assertj.core.api.Assertions.assertThat;

/** What every agent test checks after its own assertions: the agent swallowed nothing and matched everything. */
public final class AgentAssertions {
    private AgentAssertions() {}

    public static void assertAgentClean(ForkedJvm jvm) {
        String journal = jvm.journal();
        assertThat(journal).as("journal of " + jvm).contains("hooks active").contains(" 0 missing");
        assertThat(journal).as("suppressed advice errors").doesNotContain("disabled after an internal error");
        assertThat(journal).as("transformation errors").doesNotContain("transformation of");
        assertThat(jvm.stderr()).as("stderr").doesNotContain("disabled after an internal error").doesNotContain("matched nothing");
    }
}
