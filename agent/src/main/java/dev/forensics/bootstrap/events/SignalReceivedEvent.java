package dev.forensics.bootstrap.events;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A termination signal and who sent it, committed on the signal's thread before the JVM's shutdown starts. */
@Name("forensics.SignalReceived")
@Label("Signal Received")
@Description(
        "SIGTERM, SIGINT or SIGHUP delivered to the JVM, with the sender's pid, uid and command line as the kernel and /proc reported them")
@Category({"Forensics", "Termination"})
@StackTrace(false)
public class SignalReceivedEvent extends jdk.jfr.Event {
    @Label("Signal")
    public String signal;

    @Label("Signal Number")
    public int signalNumber;

    @Label("Code")
    @Description("si_code: SI_USER (kill), SI_KERNEL (the kernel, e.g. terminal hangup), SI_QUEUE, SI_TKILL")
    public String code;

    @Label("Sender Pid")
    @Description("0 with SI_USER: a sender outside this JVM's pid namespace")
    public long senderPid;

    @Label("Sender Uid")
    public long senderUid;

    @Label("Sender Command")
    @Description("Redacted and bounded command line of the sender, read from /proc when the signal arrived")
    public String senderCommand;

    @Label("Sender Parent Pid")
    public long senderParentPid;

    @Label("Sender Parent Command")
    public String senderParentCommand;

    @Label("Deliveries")
    @Description("How many times this signal has been delivered so far")
    public long deliveries;

    @Label("Verdict")
    public String verdict;
}
