package dev.forensics.targets;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;

/** Adds a FlightRecorderListener and nothing else: what a JVM loads of jdk.jfr for that, without any agent. */
public final class RecorderListenerOnly {
    public static void main(String[] args) {
        FlightRecorder.addListener(new FlightRecorderListener() {});
        System.out.println("initialized=" + FlightRecorder.isInitialized());
    }
}
