package dev.forensics.termination;

import dev.forensics.environment.Sources;
import java.nio.file.Path;

/**
 * Termination capture's options, parsed once by the agent's option table.
 *
 * @param terminationLog {@code terminationLog}: where the verdict also goes when that file exists, or null when off
 * @param sources        where the verdict's facts about the environment are read
 */
public record TerminationSettings(Path terminationLog, Sources sources) {}
