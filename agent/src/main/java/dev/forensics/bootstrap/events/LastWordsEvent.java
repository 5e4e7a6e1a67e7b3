package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The verdict on how this JVM ended and where the last words were written. */
@Name("forensics.LastWords")
@Label("Last Words")
@Description("Why the JVM is ending, in one sentence, and the file holding the full record")
@Category({"Forensics", "Termination"})
@StackTrace(false)
public class LastWordsEvent extends jdk.jfr.Event {
    @Label("Verdict")
    public String verdict;

    @Label("Cause")
    @Description("signal, exit, halt, last-thread or unknown")
    public String cause;

    @Label("Exit Status")
    @Description("The status the JVM will exit with, or -1 when not known")
    public int exitStatus;

    @Label("File")
    @Description("The last-words file, or stderr when the output directory refused it")
    public String file;
}
