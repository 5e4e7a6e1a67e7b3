package dev.forensics.targets;

/** The smallest application: the agent must add nothing to its output. */
public final class Hello {
    public static void main(String[] args) {
        System.out.println("Hello");
    }
}
