package dev.forensics.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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

    @Test
    void theReadmeIsAFrontDoorOfAtMost250Lines() throws Exception {
        assertThat(Files.readAllLines(Paths.get("..", "README.md"))).hasSizeLessThanOrEqualTo(250);
    }

    /** A clone has only itself: every link in README.md and docs/ names a file of the repository, and it exists. */
    @Test
    void everyLinkStaysInTheRepositoryAndLeadsToAFile() throws Exception {
        Path root = Paths.get("..").toAbsolutePath().normalize();
        List<Path> pages = new ArrayList<>();
        pages.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        Pattern link = Pattern.compile("\\]\\(([^)\\s]+)\\)");
        int links = 0;
        for (Path page : pages) {
            Matcher m = link.matcher(Files.readString(page));
            while (m.find()) {
                String target = m.group(1);
                links++;
                assertThat(target).as(page.getFileName() + " links outside the repository").doesNotContain("://").doesNotStartWith("/");
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                assertThat(resolved.startsWith(root)).as(page.getFileName() + ": " + target + " leaves the repository").isTrue();
                assertThat(resolved).as(page.getFileName() + ": " + target).exists();
            }
        }
        assertThat(links).as("links found").isGreaterThan(5);
    }
}
