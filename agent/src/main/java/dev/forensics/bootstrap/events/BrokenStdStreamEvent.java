package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timestamp;

/**
 * Writes to the process's stdout or stderr started failing (a pipe whose reader exited, a terminal that hung up):
 * from then on PrintStream swallows every line. Committed off the writing thread, which holds the PrintStream's lock;
 * a stream that broke before JFR started is committed when the first recording starts, {@code brokenAt} saying when.
 */
@Name("forensics.BrokenStdStream")
@Label("Broken Standard Stream")
@Description(
        "Writes to stdout (fd 1) or stderr (fd 2) fail; everything the application prints there is lost from now on")
@Category({"Forensics", "Pipes"})
@StackTrace(false)
public class BrokenStdStreamEvent extends jdk.jfr.Event {
    @Label("Stream")
    @Description("stdout or stderr")
    public String stream;

    @Label("File Descriptor")
    public int fd;

    @Label("Was")
    @Description("What the descriptor was: pipe, terminal, file, socket …")
    public String was;

    @Label("Target")
    @Description("The descriptor's target, from /proc/self/fd (e.g. pipe:[12345], /dev/pts/3)")
    public String target;

    @Label("Error")
    public String error;

    @Label("Site")
    @Description("The code whose write failed first")
    public String site;

    @Label("Broken At")
    @Description("When the first write failed, which may be before this recording started")
    @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
    public long brokenAt;
}
