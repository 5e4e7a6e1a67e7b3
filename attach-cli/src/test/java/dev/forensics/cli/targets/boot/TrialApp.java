package dev.forensics.cli.targets.boot;

/** The application a {@link JarLauncher} starts: prints READY and idles for the given seconds (default 120). */
public final class TrialApp {
    public static void main(String[] args) throws Exception {
        System.out.println("READY");
        Thread.sleep((args.length > 0 ? Long.parseLong(args[0]) : 120) * 1000L);
    }
}
