package dev.forensics.cli.targets.boot;

import java.util.jar.JarFile;

/**
 * Spring Boot's launcher in miniature: the jar's {@code Main-Class}, it reads the application class from the
 * manifest's {@code Start-Class} and runs its {@code main}. The JVM's command line names only the jar.
 */
public final class JarLauncher {
    public static void main(String[] args) throws Exception {
        String startClass;
        try (JarFile self = new JarFile(System.getProperty("java.class.path"))) {
            startClass = self.getManifest().getMainAttributes().getValue("Start-Class");
        }
        Class.forName(startClass).getMethod("main", String[].class).invoke(null, (Object) args);
    }
}
