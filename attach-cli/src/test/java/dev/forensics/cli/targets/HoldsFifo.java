package dev.forensics.cli.targets;

import java.io.FileInputStream;
import java.io.FileOutputStream;

/**
 * Holds the read end of a FIFO open, as a hostile JVM would with one named {@code *.jar}: any other process that
 * opens that name for reading blocks until a writer comes, which never happens.
 */
public final class HoldsFifo {
    public static void main(String[] args) throws Exception {
        FileInputStream[] reader = new FileInputStream[1];
        Thread t = new Thread(() -> {
            try {
                reader[0] = new FileInputStream(args[0]); // blocks until the writer below opens
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        t.start();
        try (FileOutputStream writer = new FileOutputStream(args[0])) {
            t.join();
        }
        System.out.println("READY");
        Thread.sleep(120_000);
        reader[0].close();
    }
}
