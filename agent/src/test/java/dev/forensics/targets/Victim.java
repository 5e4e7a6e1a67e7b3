package dev.forensics.targets;

/** A class outside the agent's packages for installer tests to instrument. */
public class Victim {
    public int work() {
        return 42;
    }
}
