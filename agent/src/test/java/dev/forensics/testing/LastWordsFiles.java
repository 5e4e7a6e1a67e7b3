package dev.forensics.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** Reads back what a dying target left in its output directory: exactly one last-words file, owner-only. */
public final class LastWordsFiles {
    private LastWordsFiles() {}

    public static Path single(ForkedJvm jvm) {
        List<Path> files = jvm.files(n -> n.startsWith("last-words-"));
        assertThat(files).as("one last-words file per death in " + jvm.dir() + "\nstderr:\n" + jvm.stderr()).hasSize(1);
        return files.get(0);
    }

    /** The single last-words file's text, after checking it is 0600. */
    public static String text(ForkedJvm jvm) {
        Path f = single(jvm);
        try {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as("mode of " + f).isEqualTo("rw-------");
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    /** A stop script as a deploy tool would run it: send the signal, then wait for the service to be gone. */
    public static Path stopScript(ForkedJvm jvm, String signal, String name) {
        try {
            Path script = jvm.workDir().resolve(name);
            Files.writeString(script, "#!/bin/sh\n"
                    + "kill -s " + signal + " " + jvm.pid() + "\n"
                    + "i=0\n"
                    + "while kill -0 " + jvm.pid() + " 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done\n");
            script.toFile().setExecutable(true);
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
