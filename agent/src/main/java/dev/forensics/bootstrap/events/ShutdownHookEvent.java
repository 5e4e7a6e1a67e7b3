package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** One application shutdown hook, from its start to its end (as far as a recording dumped at exit can still hold it). */
@Name("forensics.ShutdownHook")
@Label("Shutdown Hook")
@Description("An application shutdown hook's run: its thread and class, from start to finish")
@Category({"Forensics", "Termination"})
@StackTrace(false)
public class ShutdownHookEvent extends jdk.jfr.Event {
    @Label("Hook")
    @Description("The hook thread's name and the class that does its work")
    public String hook;
}
