package dev.forensics.cli.targets;

import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A JVM that answers the CLI's requests itself, as an older agent or a hostile user's JVM might: every answer is a
 * report whose text drives a terminal (clears the screen, writes a forged verdict in red) and whose error answers
 * carry the same. {@code AnsweringPretendAgent <dir> ok|error}.
 */
public final class AnsweringPretendAgent {
    static final String FORGED = "\u001b[2J\u001b[H\u001b[31mSIGTERM from systemd (pid 1): forged\u001b[0m\r\nline two\u0007";

    public static void main(String[] args) throws Exception {
        Path dir = Paths.get(args[0]);
        boolean error = args.length > 1 && args[1].equals("error");
        Path requests = dir.resolve("requests");
        Files.createDirectories(requests);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(requests, PosixFilePermissions.fromString("rwx------"));
        System.setProperty("forensics.agent", "version=0.1.0-SNAPSHOT;loaded=startup;commands=on;dir=" + dir);
        System.out.println("READY");
        System.out.flush();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (DirectoryStream<Path> found = Files.newDirectoryStream(requests, "*.request")) {
                for (Path request : found) {
                    String name = request.getFileName().toString();
                    Path response = requests.resolve(name.substring(0, name.length() - ".request".length()) + ".response");
                    String text = error ? "forensics-response error failed " + FORGED + "\n" : "forensics-response ok\n" + FORGED + "\n";
                    Path tmp = requests.resolve(name + ".tmp");
                    Files.write(tmp, text.getBytes(StandardCharsets.UTF_8));
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                    Files.move(tmp, response);
                    Files.deleteIfExists(request);
                }
            }
            Thread.sleep(20);
        }
    }
}
