package dev.forensics.targets;

import java.nio.file.Files;
import java.nio.file.Path;

/** Waits until the agent's doctor has reported (its journal line), prints READY, then idles for the given seconds. */
public final class DoctorReady {
    public static void main(String[] args) throws Exception {
        AgentReady.await(args[0]);
        Path journal = AgentReady.journal(args[0]);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.readString(journal).contains("doctor: ")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the doctor did not report in " + journal);
            }
            Thread.sleep(10);
        }
        System.out.println("READY");
        Thread.sleep(args.length > 1 ? Long.parseLong(args[1]) * 1000 : 0);
    }
}
