package dev.forensics.targets;

/** A library that calls System.exit from its own worker thread: the classic "who ended my service?". */
public final class ExitFromWorker {
    public static void main(String[] args) throws Exception {
        AgentReady.await(args[0]);
        Thread worker = new Thread(ExitFromWorker::shutdownLibrary, "library-thread");
        worker.start();
        worker.join();
    }

    static void shutdownLibrary() {
        System.exit(3);
    }
}
