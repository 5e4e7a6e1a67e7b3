package dev.forensics.report;

import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * This JVM's process id, read from the {@code /proc/self} link: {@code ProcessHandle.current()} initializes
 * {@code ProcessHandleImpl}, whose process-reaper executor and lambdas cost a few milliseconds of premain.
 */
public final class Pid {
    private static final long PID = read();

    private Pid() {}

    public static long current() {
        return PID;
    }

    private static long read() {
        try {
            return Long.parseLong(
                    Files.readSymbolicLink(Paths.get("/proc/self")).toString());
        } catch (Throwable notLinux) {
            return ProcessHandle.current().pid(); // the slower way, where there is no /proc
        }
    }
}
