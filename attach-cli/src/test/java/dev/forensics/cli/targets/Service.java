package dev.forensics.cli.targets;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/**
 * A service started without the agent, as the one an operator meets: prints READY and idles. When the file
 * {@code register} appears in its working directory (after the test attached the agent), it registers a
 * {@code Section} and reports a finding through the agent's public API, found on the boot class path only now.
 */
public final class Service {
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        System.out.println("READY");
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        boolean registered = false;
        while (System.nanoTime() < deadline) {
            if (!registered && Files.exists(Paths.get("register"))) {
                register();
                registered = true;
                System.out.println("REGISTERED");
            }
            Thread.sleep(20);
        }
    }

    private static void register() throws Exception {
        ClassLoader app = ClassLoader.getSystemClassLoader();
        Class<?> section = Class.forName("dev.forensics.report.Section", true, app);
        Object proxy = Proxy.newProxyInstance(app, new Class<?>[] {section}, (p, m, a) -> {
            switch (m.getName()) {
                case "title": return "Orders queue";
                case "lines": return List.of("3 orders waiting, oldest 42 s", "consumer thread orders-1 blocked");
                case "data": return Map.of("waiting", 3, "oldestSeconds", 42);
                case "hashCode": return System.identityHashCode(p);
                case "equals": return p == a[0];
                default: return "Orders queue section";
            }
        });
        Class.forName("dev.forensics.report.Sections", true, app).getMethod("register", section).invoke(null, proxy);

        Class<?> finding = Class.forName("dev.forensics.report.Finding", true, app);
        Object f = finding.getMethod("warn", String.class, String.class, String.class)
                .invoke(null, "orders", "orders:slow", "order queue slower than 40 s");
        Class.forName("dev.forensics.report.Reporter", true, app).getMethod("report", finding).invoke(null, f);
    }
}
