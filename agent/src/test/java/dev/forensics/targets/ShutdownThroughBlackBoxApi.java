package dev.forensics.targets;

import dev.forensics.blackbox.BlackBox;

/**
 * Stands in for termination capture, which calls the black box API from its signal handler and hook tracker:
 * tells the box a SIGTERM arrived and a hook is running, then hangs as a stuck shutdown would.
 */
public final class ShutdownThroughBlackBoxApi {
    public static void main(String[] args) throws Exception {
        AgentReady.await(args[0]);
        while (BlackBox.file() == null || !java.nio.file.Files.exists(BlackBox.file())) {
            Thread.sleep(10); // the recorder starts on its own thread
        }
        BlackBox.shutdownStarted("SIGTERM from pid 4242 (deploy.sh), uid 1000");
        BlackBox.hookRunning("flush-metrics");
        BlackBox.hookRunning("close-pool");
        BlackBox.hookFinished("close-pool");
        System.out.println("READY");
        Thread.sleep(600_000);
    }
}
