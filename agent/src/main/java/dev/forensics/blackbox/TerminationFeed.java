package dev.forensics.blackbox;

import dev.forensics.termination.TerminationListener;
import java.nio.file.Path;

/**
 * What termination capture learns as the JVM goes, passed into the black box: the verdict (so a kill during the
 * hooks is reported with who started the shutdown), each hook's start and end, and where the last words are. The
 * box's own closing hook still decides when the run ended in order, after the application's hooks.
 */
final class TerminationFeed implements TerminationListener {
    @Override
    public void shutdownStarted(String verdict, String kind) {
        BlackBox.shutdownStarted(verdict);
    }

    @Override
    public void lastWordsWritten(Path path) {
        BlackBox.lastWordsAt(path);
    }

    @Override
    public void hookStarted(String name) {
        if (isApplicationHook(name)) {
            BlackBox.hookRunning(name);
        }
    }

    @Override
    public void hookFinished(String name, long millis) {
        if (isApplicationHook(name)) {
            BlackBox.hookFinished(name);
        }
    }

    /** Our own hooks (the box's closing hook among them) are not what a person looks for in "hooks still running". */
    private static boolean isApplicationHook(String name) {
        return name != null && !name.startsWith("\"forensics-");
    }
}
