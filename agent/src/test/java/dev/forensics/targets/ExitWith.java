package dev.forensics.targets;

/** Ends with the status it is given, so tests can tell the application's status from anything else. */
public final class ExitWith {
    public static void main(String[] args) {
        System.out.println("running");
        System.exit(Integer.parseInt(args[0]));
    }
}
