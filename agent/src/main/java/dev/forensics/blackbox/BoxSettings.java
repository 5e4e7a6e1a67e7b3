package dev.forensics.blackbox;

import dev.forensics.environment.Sources;
import java.time.Duration;

/**
 * The black box's and the doctor's options, parsed once by the agent's option table.
 *
 * @param box         {@code blackbox}
 * @param doctor      {@code doctor}
 * @param termination whether termination capture runs, which feeds the box what it knows of the death
 * @param heartbeat   {@code heartbeat}
 * @param sources     where the environment is read
 */
public record BoxSettings(boolean box, boolean doctor, boolean termination, Duration heartbeat, Sources sources) {}
