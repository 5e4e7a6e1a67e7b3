package dev.forensics.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class AgentMarkerTest {

    @Test
    void theMarkerRoundTripsEvenWithASemicolonInTheDirectory() {
        AgentMarker m = new AgentMarker("0.1.0", "attach", "on", Paths.get("/srv/app;blue/forensics"));
        assertThat(m.format()).isEqualTo("version=0.1.0;loaded=attach;commands=on;dir=/srv/app;blue/forensics");
        AgentMarker back = AgentMarker.parse(m.format());
        assertThat(back).isEqualTo(m);
        assertThat(back.answersCommands()).isTrue();
        assertThat(back.requests()).isEqualTo(Paths.get("/srv/app;blue/forensics/requests"));
    }

    @Test
    void somethingElseInThePropertyIsNotAMarker() {
        assertThat(AgentMarker.parse(null)).isNull();
        assertThat(AgentMarker.parse("true")).isNull();
        assertThat(AgentMarker.parse("version=1;loaded=attach")).isNull();
        AgentMarker newer = AgentMarker.parse("version=2.0;colour=blue;loaded=startup;dir=/x");
        assertThat(newer.version()).isEqualTo("2.0");
        assertThat(newer.commands()).isEqualTo("off");
        assertThat(newer.answersCommands()).isFalse();
    }
}
