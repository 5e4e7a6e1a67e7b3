package dev.forensics.report;

import dev.forensics.bootstrap.events.AgentStatusEvent;
import dev.forensics.bootstrap.events.BrokenPipeLoopEndedEvent;
import dev.forensics.bootstrap.events.BrokenPipeLoopEvent;
import dev.forensics.bootstrap.events.BrokenStdStreamEvent;
import dev.forensics.bootstrap.events.ConnectionPoolRefusedEvent;
import dev.forensics.bootstrap.events.ExitRequestedEvent;
import dev.forensics.bootstrap.events.HealthEvent;
import dev.forensics.bootstrap.events.LastWordsEvent;
import dev.forensics.bootstrap.events.OpenResponseBodiesEvent;
import dev.forensics.bootstrap.events.ResponseBodyHeldEvent;
import dev.forensics.bootstrap.events.ResponseBodyLeakEvent;
import dev.forensics.bootstrap.events.RiskEvent;
import dev.forensics.bootstrap.events.ShutdownHookEvent;
import dev.forensics.bootstrap.events.SignalReceivedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The agent's one door to {@code jdk.jfr}. Registering the event classes at start-up cost an idle JVM 0.1 to 0.17 s
 * CPU and up to 5 MiB (JDK 17 and 25) even when nothing ever recorded, so nothing is registered until JFR initialises
 * (a recording started on the command line, by jcmd, JMC or {@code forensics jfr}). Even a
 * {@link FlightRecorderListener} costs an idle JDK 17 some 80 classes, so one is added at start-up only when the
 * command line asks for a recording; otherwise the agent notices JFR by asking {@link FlightRecorder#isInitialized()}
 * (one static read) where it would emit, and from its one-second and heartbeat ticks for the periodic sources. Then it
 * registers every {@code forensics.*} event and the periodic sources, adds the listener, and only from then on do
 * the features emit. Until then a hook pays two volatile reads, {@link #ready()}, and loads no event class.
 */
public final class Jfr {
    public static final boolean AVAILABLE =
            ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private static final Object LOCK = new Object();
    private static final AtomicBoolean LISTENING = new AtomicBoolean();
    /** A feature has JFR sources or events: worth noticing JFR when it initialises. */
    private static volatile boolean wanted;
    /** Periodic sources waiting for JFR; null once it has initialised. Guarded by LOCK. */
    private static List<Runnable> waiting = new ArrayList<>();

    private static final List<Runnable> AT_RECORDING_START = new CopyOnWriteArrayList<>();
    private static volatile boolean ready;

    /** The fields of {@code forensics.AgentStatus}, filled by the agent without touching jdk.jfr types. */
    public static final class StatusFields {
        public String version;
        public String outputDirectory;
        public int hooksActive;
        public int hooksMissing;
        public int hooksNotApplicable;
        public String missing;
        public long adviceErrors;
        public long transformationErrors;
        public String disabledFeatures;
    }

    private Jfr() {}

    /**
     * JFR has initialised in this JVM and the forensics events are registered: the one check a hook makes. The first
     * call that finds JFR initialised registers everything on its own thread, once.
     */
    public static boolean ready() {
        return ready || (wanted && noticeInitialized());
    }

    /** Asks JFR whether it has initialised since; registers the events and listens if so. */
    private static boolean noticeInitialized() {
        try {
            if (!FlightRecorder.isInitialized()) {
                return false;
            }
        } catch (Throwable t) {
            return false;
        }
        listenNow(); // JFR calls recorderInitialized at once when it runs already
        initialized(); // in case the listener could not be added
        return ready;
    }

    /**
     * Runs {@code registration} (a feature's {@code FlightRecorder.addPeriodicEvent} calls) when JFR initialises, or
     * now if it has. Periodic events describe state, so a recording started at any time holds the state from before.
     */
    public static void whenInitialized(Runnable registration) {
        if (!AVAILABLE) {
            return;
        }
        boolean later;
        synchronized (LOCK) {
            later = waiting != null;
            if (later) {
                waiting.add(registration);
            }
        }
        listen(); // never under LOCK: JFR calls the listener holding its own lock
        if (!later) {
            runQuietly(registration);
        }
    }

    /**
     * Runs {@code action} each time a recording starts once JFR has initialised: for findings from before JFR
     * initialised that no recording could hold, such as a standard stream that broke and stays broken.
     */
    public static void atRecordingStart(Runnable action) {
        if (AVAILABLE && !AT_RECORDING_START.contains(action)) {
            AT_RECORDING_START.add(action);
            listen();
        }
    }

    /**
     * Notices JFR from now on: at once through a listener when the command line starts a recording (it initialises JFR
     * right after premain), else when {@link #ready()} is next asked after JFR initialised.
     */
    public static void listen() {
        if (!AVAILABLE) {
            return;
        }
        wanted = true;
        if (StartupRecording.requested()) {
            listenNow();
        }
    }

    /** Adds the listener once; {@code recorderInitialized} comes at once when JFR is running already. */
    public static void listenNow() {
        if (AVAILABLE && LISTENING.compareAndSet(false, true)) {
            wanted = true;
            try {
                FlightRecorder.addListener(new Listener());
            } catch (Throwable t) {
                Reporter.journal("jfr", "JFR events unavailable: the recorder listener could not be added: " + t);
            }
        }
    }

    /**
     * Whether this JVM's command line (or the options the launcher reads from the environment) starts a recording: then
     * JFR initialises right after premain, and a listener sees it before the first event.
     */
    static final class StartupRecording {
        private StartupRecording() {}

        static boolean requested() {
            for (String env : new String[] {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"}) {
                String v = System.getenv(env);
                if (v != null && v.contains("StartFlightRecording")) {
                    return true;
                }
            }
            byte[] needle = "StartFlightRecording".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            try (java.io.FileInputStream in = new java.io.FileInputStream("/proc/self/cmdline")) {
                byte[] buf = in.readNBytes(1 << 20); // a command line is at most a few hundred KB
                return indexOf(buf, needle) >= 0;
            } catch (Throwable t) {
                return false; // no /proc: the tick notices JFR a second late
            }
        }

        static int indexOf(byte[] hay, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= hay.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    /** AgentStatus is periodic (every chunk), so a recording started at any time, even by jcmd, holds it. */
    public static void registerStatus(Consumer<StatusFields> filler) {
        whenInitialized(new StatusSource(filler));
    }

    private static void initialized() {
        List<Runnable> sources;
        synchronized (LOCK) {
            sources = waiting;
            waiting = null;
        }
        if (sources == null) {
            return;
        }
        long t0 = System.nanoTime();
        int types = 0;
        for (Class<? extends Event> type : eventTypes()) {
            try {
                FlightRecorder.register(type);
                types++;
            } catch (Throwable t) {
                Reporter.journal("jfr", "JFR event " + type.getSimpleName() + " could not be registered: " + t);
            }
        }
        for (Runnable r : sources) {
            runQuietly(r);
        }
        ready = true;
        for (Runnable r : AT_RECORDING_START) {
            runQuietly(r); // a recording that started JFR before the agent listened is running already
        }
        Reporter.journal(
                "jfr",
                "JFR initialised in this JVM: " + types + " forensics event types and " + sources.size()
                        + " periodic sources registered in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }

    private static List<Class<? extends Event>> eventTypes() {
        return List.of(
                AgentStatusEvent.class,
                RiskEvent.class,
                BrokenPipeLoopEvent.class,
                BrokenPipeLoopEndedEvent.class,
                BrokenStdStreamEvent.class,
                ResponseBodyLeakEvent.class,
                ResponseBodyHeldEvent.class,
                OpenResponseBodiesEvent.class,
                ConnectionPoolRefusedEvent.class,
                HealthEvent.class,
                SignalReceivedEvent.class,
                ExitRequestedEvent.class,
                ShutdownHookEvent.class,
                LastWordsEvent.class);
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            Reporter.journal("jfr", "JFR events of one feature unavailable: " + t);
        }
    }

    /**
     * Called by JFR on the thread that initialises it or starts a recording (jcmd's, JMC's or the application's),
     * with JFR's own lock held: never throws, and takes LOCK only briefly.
     */
    private static final class Listener implements FlightRecorderListener {
        @Override
        public void recorderInitialized(FlightRecorder recorder) {
            try {
                initialized();
            } catch (Throwable t) {
                Reporter.journal("jfr", "JFR events unavailable: " + t);
            }
        }

        @Override
        public void recordingStateChanged(Recording recording) {
            if (!ready || recording.getState() != RecordingState.RUNNING) {
                return;
            }
            for (Runnable r : AT_RECORDING_START) {
                runQuietly(r);
            }
        }
    }

    private static final class StatusSource implements Runnable {
        private final Consumer<StatusFields> filler;

        StatusSource(Consumer<StatusFields> filler) {
            this.filler = filler;
        }

        @Override
        public void run() {
            FlightRecorder.addPeriodicEvent(AgentStatusEvent.class, new Runnable() {
                @Override
                public void run() {
                    emitStatus(filler);
                }
            });
        }
    }

    private static void emitStatus(Consumer<StatusFields> filler) {
        AgentStatusEvent e = new AgentStatusEvent();
        if (!e.isEnabled()) {
            return;
        }
        StatusFields s = new StatusFields();
        filler.accept(s);
        e.version = s.version;
        e.outputDirectory = s.outputDirectory;
        e.hooksActive = s.hooksActive;
        e.hooksMissing = s.hooksMissing;
        e.hooksNotApplicable = s.hooksNotApplicable;
        e.missing = s.missing;
        e.adviceErrors = s.adviceErrors;
        e.transformationErrors = s.transformationErrors;
        e.disabledFeatures = s.disabledFeatures;
        e.commit();
    }
}
