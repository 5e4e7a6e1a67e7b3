package dev.forensics.cli.targets;

/**
 * A JVM whose user pretends to run the agent: it sets the marker the CLI reads through the attach API, naming
 * whatever directory it likes as its output directory, and answers nothing. What the CLI does with such a marker
 * must not depend on the JVM being honest.
 */
public final class PretendAgent {
    public static void main(String[] args) throws Exception {
        System.setProperty("forensics.agent", "version=0.1.0-SNAPSHOT;loaded=startup;commands=on;dir=" + args[0]);
        System.out.println("READY");
        Thread.sleep(120_000);
    }
}
