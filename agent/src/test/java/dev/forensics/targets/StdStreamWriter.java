package dev.forensics.targets;

import java.io.PrintStream;

/**
 * A service that logs to stdout (or stderr) while whoever reads that pipe goes away: prints {@code lines} lines, one
 * every 20 ms, then says on the other stream whether PrintStream noticed (checkError) and what the agent's report
 * section holds. Ends with System.exit(0), one more finding for the agent to report after the stream broke.
 *
 * <p>Args: dir out|err lines
 */
public final class StdStreamWriter {
    public static void main(String[] args) throws Exception {
        AgentReady.await(args[0]);
        boolean toErr = args[1].equals("err");
        PrintStream logged = toErr ? System.err : System.out;
        PrintStream other = toErr ? System.out : System.err;
        int lines = Integer.parseInt(args[2]);
        for (int i = 0; i < lines; i++) {
            logged.println("line " + i);
            Thread.sleep(20);
        }
        Thread.sleep(300); // the agent's log line and JFR event for the broken stream go out on their own thread
        other.println("checkError=" + logged.checkError());
        for (String line : SocketWriter.sectionLines()) {
            other.println("SECTION " + line);
        }
        other.flush();
        System.exit(0);
    }
}
