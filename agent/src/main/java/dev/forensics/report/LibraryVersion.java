package dev.forensics.report;

import java.io.File;
import java.io.InputStream;
import java.net.URL;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The version of a library a class came from, read from files and never by loading a class: the Maven
 * {@code pom.properties} in the class's own jar, then through its defining loader (nested jars, as Spring Boot's), then
 * the jar manifest's {@code Implementation-Version} or {@code Bundle-Version}. Reads files: never call it on a thread
 * that is loading a class.
 */
public final class LibraryVersion {
    private LibraryVersion() {}

    /** The version, or null when nothing says. */
    public static String of(ClassLoader loader, ProtectionDomain domain, String groupId, String artifactId) {
        String pom = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        File jar = jarOf(domain);
        Manifest manifest = null;
        if (jar != null) {
            try (JarFile j = new JarFile(jar)) {
                JarEntry e = j.getJarEntry(pom);
                if (e != null) {
                    try (InputStream in = j.getInputStream(e)) {
                        String v = version(in);
                        if (v != null) {
                            return v;
                        }
                    }
                }
                manifest = j.getManifest();
            } catch (Exception | LinkageError unreadable) {
                // the loader may still have it
            }
        }
        if (loader != null) {
            try (InputStream in = loader.getResourceAsStream(pom)) {
                String v = in == null ? null : version(in);
                if (v != null) {
                    return v;
                }
            } catch (Exception | LinkageError unreadable) {
                // a loader that fails to answer does not have it
            }
        }
        if (manifest != null) {
            Attributes a = manifest.getMainAttributes();
            String v = a.getValue(Attributes.Name.IMPLEMENTATION_VERSION);
            return v != null
                    ? v.trim()
                    : a.getValue("Bundle-Version") == null
                            ? null
                            : a.getValue("Bundle-Version").trim();
        }
        return null;
    }

    private static String version(InputStream in) throws java.io.IOException {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** The jar file a class was defined from, or null (a directory, a nested jar, no code source). */
    private static File jarOf(ProtectionDomain domain) {
        try {
            CodeSource cs = domain == null ? null : domain.getCodeSource();
            URL where = cs == null ? null : cs.getLocation();
            if (where == null
                    || !"file".equals(where.getProtocol())
                    || !where.getPath().endsWith(".jar")) {
                return null;
            }
            File f = new File(where.toURI());
            return f.isFile() ? f : null;
        } catch (Exception | LinkageError e) {
            return null;
        }
    }
}
