package dev.forensics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's exit-code table is the one scripts rely on: it must list exactly the codes the CLI uses. */
class ReadmeTest {

    @Test
    void everyExitCodeIsInTheReadmeTable() throws Exception {
        String readme = Files.readString(Paths.get("..", "README.md"));
        for (Map.Entry<String, String> e : ExitCodes.DESCRIPTIONS.entrySet()) {
            assertThat(readme).as("README row for exit code " + e.getKey()).containsPattern("(?m)^\\| " + e.getKey() + " \\| ");
        }
        for (String command : new String[] {"list", "attach", "report", "doctor", "jfr", "lastwords"}) {
            assertThat(readme).as("README documents forensics " + command).contains("forensics " + command);
        }
    }
}
