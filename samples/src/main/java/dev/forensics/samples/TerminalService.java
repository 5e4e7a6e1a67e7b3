package dev.forensics.samples;

import java.util.concurrent.TimeUnit;

/**
 * Incident: a service started by hand from an SSH session stopped when the session ended. Closing the session hangs
 * up its terminal, and the kernel sends SIGHUP to the session. samples/demo.sh runs this under a pseudo-terminal
 * (python3's pty module) and then closes the terminal; under the agent, the last words say the kernel sent SIGHUP
 * because the controlling terminal hung up. (With nohup, SIGHUP stays ignored and the journal says so at start-up;
 * the end of a systemd login session then stops the service with SIGTERM instead.)
 */
public final class TerminalService {
    public static void main(String[] args) throws Exception {
        System.out.println("service started on a terminal (pid " + ProcessHandle.current().pid() + ")");
        System.out.println("READY");
        System.out.flush();
        TimeUnit.MINUTES.sleep(10);
    }
}
