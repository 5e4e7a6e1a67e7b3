package dev.forensics.termination;

import dev.forensics.bootstrap.TerminationHooks;
import java.security.AccessController;
import java.security.PrivilegedAction;

/**
 * Runs the agent's reaction to a termination event with the agent's own permissions. The events arrive on the
 * application's threads (the one calling System.exit, the one dying of an exception): under a SecurityManager with a
 * restrictive policy, the application's frames on the stack denied the agent its file writes, and an exit left no last
 * words. The agent's classes are on the boot class path, so inside doPrivileged only the agent's own (full) permissions
 * count. Without a SecurityManager (always on JDK 24+), doPrivileged just runs the action. Anonymous classes rather than
 * lambdas: the first death must not link call sites.
 */
@SuppressWarnings("removal") // AccessController: still how a SecurityManager is honoured on JDK 17
final class PrivilegedListener implements TerminationHooks.Listener {
    private final TerminationHooks.Listener delegate;

    PrivilegedListener(TerminationHooks.Listener delegate) {
        this.delegate = delegate;
    }

    @Override
    public void exitRequested(int status, boolean halt) {
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                delegate.exitRequested(status, halt);
                return null;
            }
        });
    }

    @Override
    public void shutdownStarting() {
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                delegate.shutdownStarting();
                return null;
            }
        });
    }

    @Override
    public void shutdownHooksDone() {
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                delegate.shutdownHooksDone();
                return null;
            }
        });
    }

    @Override
    public void lastThreadEnded() {
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                delegate.lastThreadEnded();
                return null;
            }
        });
    }

    @Override
    public void uncaught(Throwable error) {
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                delegate.uncaught(error);
                return null;
            }
        });
    }

    @Override
    public void signalHandlerChanging(Object signal, Object handler) {
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                delegate.signalHandlerChanging(signal, handler);
                return null;
            }
        });
    }

    @Override
    public void signalHandlerChanged(Object signal, Object handler) {
        AccessController.doPrivileged(new PrivilegedAction<Void>() {
            @Override
            public Void run() {
                delegate.signalHandlerChanged(signal, handler);
                return null;
            }
        });
    }
}
