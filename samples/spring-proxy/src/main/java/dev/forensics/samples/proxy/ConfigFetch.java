package dev.forensics.samples.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * Start-up config fetch in {@code main}, before Spring starts: on an error it reads the message and goes on with
 * defaults, but never closes the error stream. The first second of a JVM is where such calls live.
 */
final class ConfigFetch {
    private ConfigFetch() {}

    static String fetchOrDefaults(String upstream) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(upstream + "/config?token=s3cr3t-config-token").toURL().openConnection();
            if (c.getResponseCode() >= 400) {
                InputStream err = c.getErrorStream();
                String why = err == null ? "" : new String(err.readNBytes(64));
                System.out.println("config store answered " + c.getResponseCode() + " (" + why.substring(0, Math.min(30, why.length()))
                        + "…); starting with defaults");
                return "defaults"; // BUG: err is never closed
            }
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes());
            }
        } catch (IOException e) {
            return "defaults";
        }
    }
}
