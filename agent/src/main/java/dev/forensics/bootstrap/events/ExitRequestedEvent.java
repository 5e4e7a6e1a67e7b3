package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** System.exit or Runtime.halt, committed on the calling thread (its stack is the event's stack trace). */
@Name("forensics.ExitRequested")
@Label("Exit Requested")
@Description("Runtime.exit (System.exit) or Runtime.halt called, with the calling method and thread")
@Category({"Forensics", "Termination"})
@StackTrace(true)
public class ExitRequestedEvent extends jdk.jfr.Event {
    @Label("Status")
    public int status;

    @Label("Halt")
    @Description("Runtime.halt: shutdown hooks and JFR's dump on exit are skipped")
    public boolean halt;

    @Label("Caller")
    public String caller;

    @Label("Thread Name")
    public String threadName;
}
