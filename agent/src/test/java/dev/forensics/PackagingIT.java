package dev.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.forensics.testing.ForkedJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** forensics.jar holds our packages, the relocated libraries and nothing else a host could collide with. */
class PackagingIT {

    @Test
    void jarHoldsOnlyOurPackagesAndRelocatedOnes() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            List<String> foreign = jar.stream().map(e -> e.getName())
                    .filter(n -> !n.endsWith("/"))
                    .filter(n -> !n.startsWith("dev/forensics/") && !n.startsWith("META-INF/") && !n.equals("forensics.jfc"))
                    .collect(Collectors.toList());
            assertThat(foreign).isEmpty();
            assertThat(jar.getEntry("dev/forensics/shaded/org/objectweb/asm/ClassReader.class")).isNotNull();
            assertThat(jar.stream().map(e -> e.getName()).filter(n -> n.startsWith("META-INF/versions/") || n.endsWith("module-info.class")))
                    .as("no multi-release or module descriptors of the relocated libraries").isEmpty();
            assertThat(jar.getEntry("dev/forensics/bootstrap/TerminationHooks.class")).isNotNull();
        }
    }

    @Test
    void manifestDeclaresAnAgentThatCanRetransform() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertThat(main.getValue("Premain-Class")).isEqualTo("dev.forensics.agent.ForensicsAgent");
            assertThat(main.getValue("Agent-Class")).isEqualTo("dev.forensics.agent.ForensicsAgent");
            assertThat(main.getValue("Can-Retransform-Classes")).isEqualTo("true");
            assertThat(main.getValue("Can-Redefine-Classes")).isEqualTo("true");
            assertThat(main.getValue("Boot-Class-Path")).isEqualTo(ForkedJvm.AGENT_JAR.getFileName().toString());
        }
    }

    @Test
    void jfcNextToTheJarEnablesEveryForensicsEvent() throws Exception {
        String jfc = Files.readString(ForkedJvm.JFC, StandardCharsets.UTF_8);
        try (JarFile jar = new JarFile(ForkedJvm.AGENT_JAR.toFile())) {
            List<String> events = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("dev/forensics/bootstrap/events/") && n.endsWith("Event.class"))
                    .map(n -> n.substring(n.lastIndexOf('/') + 1, n.length() - "Event.class".length()))
                    .collect(Collectors.toList());
            assertThat(events).contains("AgentStatus");
            for (String e : events) {
                assertThat(jfc).as("forensics.jfc enables forensics." + e).contains("<event name=\"forensics." + e + "\"><setting name=\"enabled\">true</setting>");
            }
        }
    }
}
