package dev.forensics.leak;

import java.time.Duration;

/**
 * The leak feature's options, parsed once by the agent's option table (where each is declared, with its default).
 *
 * @param tracking     {@code leaks}: whether response bodies are tracked at all (the health sampler may run without)
 * @param stacks       {@code leakStacks}: which bodies get their origin stack (always, never, N/s, P%)
 * @param appPackages  {@code appPackages}: package prefixes that head a finding, or null to judge by code source
 * @param heldAfter    {@code leakHeldAfter}: when an open body is reported as held too long
 * @param healthPeriod {@code healthPeriod}: how often the health figures are sampled, or null when off
 * @param maxOpen      {@code leakMaxOpen}: cap on bodies tracked at once
 * @param haltSummary  whether termination capture runs, which alone tells the feature of a {@code Runtime.halt}
 * @param metrics      {@code metrics}: whether the figures are published as meters
 */
public record LeakSettings(
        boolean tracking,
        String stacks,
        String appPackages,
        Duration heldAfter,
        Duration healthPeriod,
        int maxOpen,
        boolean haltSummary,
        boolean metrics) {
    /** Whether the stack sampler takes {@code value}. */
    public static boolean validStacks(String value) {
        return value != null && Origin.Sampler.parse(value) != null;
    }
}
