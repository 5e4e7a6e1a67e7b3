package dev.forensics.termination;

import dev.forensics.report.Pid;
import dev.forensics.report.PrivateFiles;
import dev.forensics.report.Text;
import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The JNI shim ({@code src/main/c/forensics_signals.c}): a {@code SA_SIGINFO} handler that records who sent a
 * signal and chains to the JVM's handler. Its bytes are a generated class ({@link NativeImage}, read by the boot
 * loader like any agent class: reading them as a jar resource costs 8 to 15 ms of premain); they are written into
 * an owner-only directory, loaded, and the copy deleted at once, so no other user can swap the file between the
 * write and the load.
 *
 * <p>Loaded through {@code ClassLoader.loadLibrary(Class, File)} for this (boot loader) class: {@code System.load}
 * from a class in an unnamed module makes JDK 24+ print a restricted-method warning on the host's stderr, while
 * binding native methods of boot loader classes is not checked at all.
 */
final class NativeSignals {
    static final int FIRST = 0;
    static final int LATEST = 1;

    static final int INSTALLED = 0;
    static final int IGNORED = 1;
    static final int ALREADY = 2;
    static final int FAILED = 3;
    /** What {@link #disposition} answers (DISPOSITION_* in the shim). */
    static final int DISPOSITION_UNKNOWN = -1,
            DISPOSITION_DEFAULT = 0,
            DISPOSITION_IGNORED = 1,
            DISPOSITION_OURS = 2,
            DISPOSITION_OTHER = 3;

    // Layout of record0's arrays; forensics_signals.c has the same enum and offsets.
    static final int F_INDEX = 0,
            F_SIGNO = 1,
            F_CODE = 2,
            F_PID = 3,
            F_UID = 4,
            F_TID = 5,
            F_PPID = 6,
            F_REAL_NS = 7,
            F_MONO_NS = 8,
            F_COUNT = 9,
            F_COMM_LEN = 10,
            F_CMD_LEN = 11,
            F_PARENT_COMM_LEN = 12,
            F_PARENT_CMD_LEN = 13,
            F_FIELDS = 14;
    static final int COMM_MAX = 64;
    static final int CMD_MAX = 512;
    static final int T_COMM = 0,
            T_CMD = T_COMM + COMM_MAX,
            T_PARENT_COMM = T_CMD + CMD_MAX,
            T_PARENT_CMD = T_PARENT_COMM + COMM_MAX,
            T_SIZE = T_PARENT_CMD + CMD_MAX;

    private static volatile boolean loaded;
    private static volatile String unavailable = "not loaded";

    private NativeSignals() {}

    /** Loads the library once; afterwards {@link #available()} or {@link #unavailableReason()} says how it went. */
    static synchronized boolean load() {
        if (loaded) {
            return true;
        }
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            unavailable = "no signal shim for " + os + " (Linux only)";
            return false;
        }
        if (!arch.equals(NativeImage.ARCH)) {
            unavailable = "no signal shim for linux-" + arch + " in this build of forensics.jar (built for linux-"
                    + NativeImage.ARCH + ")";
            return false;
        }
        Path copy = null;
        try {
            byte[] bytes = NativeImage.bytes();
            copy = PrivateFiles.privateTempDir()
                    .resolve("libforensics-" + Pid.current() + "-" + System.nanoTime() + ".so");
            try (FileChannel ch = PrivateFiles.create(copy)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            loadLibrary(copy.toFile());
            if (layout0() != F_FIELDS * 100000 + T_SIZE) {
                unavailable = "signal shim layout mismatch (" + layout0() + ")";
                return false;
            }
            loaded = true;
            unavailable = null;
            return true;
        } catch (Throwable t) {
            unavailable = "signal shim could not be loaded: " + t;
            return false;
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException ignored) {
                    // An owner-only leftover in an owner-only directory; nothing else to do.
                }
            }
        }
    }

    /**
     * JDK 24+ (JEP 472) warns on stderr when code without native access calls {@code System.load}; the shim then loads
     * through {@code ClassLoader.loadLibrary}, for which premain opens java.lang first (4-10 ms: the JDK's
     * {@code redefineModule} links several lambdas). Earlier JDKs load it silently with {@code System.load}.
     */
    static final boolean LOADS_THROUGH_JAVA_LANG = Text.jdkFeature() >= 24;

    private static void loadLibrary(File file) {
        if (!LOADS_THROUGH_JAVA_LANG) {
            System.load(file.getAbsolutePath());
            return;
        }
        try {
            // java.lang is opened to us in premain (Termination.openJavaLang). A method handle with exact types, not
            // Method.invoke, whose adapters JDK 18+ spins at first use.
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ClassLoader.class, MethodHandles.lookup());
            MethodHandle load = lookup.findStatic(
                    ClassLoader.class,
                    "loadLibrary",
                    MethodType.methodType(
                            Class.forName("jdk.internal.loader.NativeLibrary", false, null), Class.class, File.class));
            Object ignored = (Object) load.invoke(NativeSignals.class, file);
        } catch (Throwable e) {
            // Older or newer JDK without that method, or java.lang not opened: System.load works everywhere
            // (on JDK 24+ it prints the JVM's restricted-method warning once).
            System.load(file.getAbsolutePath());
        }
    }

    static boolean available() {
        return loaded;
    }

    static String unavailableReason() {
        return unavailable;
    }

    static int install(int signo) {
        return loaded ? install0(signo) : FAILED;
    }

    static boolean uninstall(int signo) {
        return loaded && uninstall0(signo);
    }

    /** 0 default, 1 ignored, 2 ours, 3 another handler, -1 unknown (or no library). */
    static int disposition(int signo) {
        return loaded ? disposition0(signo) : DISPOSITION_UNKNOWN;
    }

    static long count(int signo) {
        return loaded ? count0(signo) : 0;
    }

    /** The first or latest delivery of a signal, or null when none was recorded. */
    static SignalRecord record(int signo, int which) {
        if (!loaded) {
            return null;
        }
        long[] n = new long[F_FIELDS];
        byte[] text = new byte[T_SIZE];
        return record0(signo, which, n, text) ? SignalRecord.of(n, text) : null;
    }

    private static native int install0(int signo);

    private static native boolean uninstall0(int signo);

    private static native int disposition0(int signo);

    private static native long count0(int signo);

    private static native boolean record0(int signo, int which, long[] numbers, byte[] text);

    private static native int layout0();
}
