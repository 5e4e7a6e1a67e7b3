package dev.forensics.samples;

import java.util.concurrent.TimeUnit;

/**
 * Incident: a service vanished with status 3 and no log line saying why. A library it used called
 * {@code System.exit} from one of its own worker threads when it gave up reconnecting. Under the agent, the
 * journal names the method and the thread.
 */
public final class LibraryExit {
    public static void main(String[] args) throws Exception {
        System.out.println("service started; the bundled client library will give up in a moment");
        TimeUnit.MILLISECONDS.sleep(args.length > 0 ? Long.parseLong(args[0]) : 1500);
        Thread reconnector = new Thread(LibraryExit::giveUpReconnecting, "client-reconnector");
        reconnector.start();
        reconnector.join();
    }

    /** Stands for the third-party code nobody reads until it ends the process. */
    static void giveUpReconnecting() {
        System.exit(3);
    }
}
