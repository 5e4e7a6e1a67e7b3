package dev.forensics.benchmarks;

/** Startup benchmark target: prints and returns. */
public final class Hello {
    private Hello() {}

    public static void main(String[] args) {
        System.out.println("Hello");
    }
}
