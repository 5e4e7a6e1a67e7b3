package dev.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

/**
 * The house's arrows, over the compiled classes (every type a class names: fields, signatures, instructions, constants):
 * woven code calls {@code bootstrap}, which needs nothing of the agent's; recorders hand findings to {@code report}'s
 * sinks; only {@code agent} knows the option strings and wires the features; no two packages depend on each other.
 */
class ArchitectureTest {
    private static final String ROOT = "dev/forensics/";
    /** Top-level package → the agent packages its classes name (shaded ASM counts as a library, not a package). */
    private static Map<String, Set<String>> uses;

    @BeforeAll
    static void scan() throws IOException {
        uses = new TreeMap<>();
        Path classes = Paths.get("target", "classes", "dev", "forensics");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList());
        }
        for (Path f : files) {
            ClassReader reader = new ClassReader(Files.readAllBytes(f));
            String from = top(reader.getClassName());
            if (from == null) {
                continue;
            }
            Set<String> to = uses.computeIfAbsent(from, k -> new TreeSet<>());
            reader.accept(new ClassRemapper(new ClassWriter(0), new Remapper() {
                @Override
                public String map(String internalName) {
                    String p = top(internalName);
                    if (p != null && !p.equals(from)) {
                        to.add(p);
                    }
                    return internalName;
                }
            }), 0);
        }
        assertThat(uses).as("packages scanned").containsKeys("agent", "bootstrap", "instrument", "leak", "pipe", "termination", "report");
        assertThat(uses.get("agent")).as("the scan sees the entry wiring every feature").contains("leak", "pipe", "termination", "instrument");
    }

    /** "leak" for dev/forensics/leak/Origin$Sampler; null outside the agent's own packages. */
    private static String top(String internalName) {
        if (!internalName.startsWith(ROOT) || internalName.startsWith(ROOT + "shaded/")) {
            return null;
        }
        String rest = internalName.substring(ROOT.length());
        int slash = rest.indexOf('/');
        return slash < 0 ? null : rest.substring(0, slash);
    }

    @Test
    void onlyTheEntryKnowsTheAgentPackage() {
        uses.forEach((from, to) -> assertThat(to).as(from + " uses agent (options are handed to features as typed settings)")
                .doesNotContain(from.equals("agent") ? "" : "agent"));
    }

    @Test
    void bootstrapNeedsNothingOfTheAgents() {
        assertThat(uses.get("bootstrap")).as("bootstrap is loaded by the boot loader and called from java.base").isEmpty();
    }

    @Test
    void sinksKnowOnlyTheEventClasses() {
        assertThat(uses.get("report")).as("report holds sinks").isSubsetOf(Set.of("bootstrap"));
    }

    @Test
    void instrumentationCallsHooksAndNeverARecorder() {
        assertThat(uses.get("instrument")).isSubsetOf(Set.of("bootstrap", "report"));
        for (String recorder : List.of("leak", "pipe", "termination", "blackbox", "environment")) {
            assertThat(uses.getOrDefault(recorder, Set.of())).as(recorder + " uses instrument").doesNotContain("instrument");
        }
    }

    @Test
    void noTwoPackagesDependOnEachOther() {
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            List<String> path = new ArrayList<>();
            path.add(start);
            findCycle(start, start, path, new TreeSet<>(), cycles);
        }
        assertThat(cycles).as("package cycles").isEmpty();
    }

    private static void findCycle(String start, String at, List<String> path, Set<String> seen, List<String> cycles) {
        for (String next : uses.getOrDefault(at, Set.of())) {
            if (next.equals(start)) {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            } else if (seen.add(next)) {
                path.add(next);
                findCycle(start, next, path, seen, cycles);
                path.remove(path.size() - 1);
            }
        }
    }
}
