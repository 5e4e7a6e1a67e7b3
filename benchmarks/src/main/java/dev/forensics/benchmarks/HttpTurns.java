package dev.forensics.benchmarks;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Paired, turn-taking throughput of {@link HttpLoop} variants (no agent, agent with default settings, …):
 * {@code HttpTurns <client> <url> <requests per turn> <turns> <instances> <warm-up> <label>=<jvm args> …}.
 *
 * <p>Every variant runs in its own JVM, started once and warmed up until its JIT is quiet (one after the other, so
 * warm-ups do not compete), then kept alive. In each turn every variant runs the same number of requests, one JVM at a
 * time, the order reversed every other turn (ABC CBA …) so a trend within a turn favours nobody. The ratio of a variant
 * is the median over turns of its rate divided by the first variant's rate in the same turn, with a distribution-free
 * 95 % confidence interval of that median (order statistics of the binomial): on a machine whose speed drifts by ±15 %
 * over tens of seconds, runs of whole JVMs one after another compare drift, while turns a second apart compare the
 * variants. A JVM also keeps whatever its JIT decided (the same program differs by a few percent between two JVMs,
 * for good), so the whole is repeated with fresh JVMs {@code instances} times and the turns of all instances pooled.
 * Listing the baseline twice ({@code none=} and {@code none-again=}) prints the noise floor beside the agent's figures.
 *
 * <p>{@code <label>=@<variant> off=leaks} runs in that earlier variant's JVM, with the agent's leaks feature switched
 * off for its segments (the instrumented code stays; its hooks return at once), {@code @<variant> stacks=never} with
 * that origin-stack setting instead: its ratio against that variant is the cost of the difference measured within one
 * JVM, free of the few percent two JVMs of the same program differ by.
 */
public final class HttpTurns {
    private HttpTurns() {}

    /**
     * {@code jvm}: the index of the variant whose JVM this one runs in, its own unless it is a {@code change}
     * ({@link HttpLoop#change}) of an earlier variant.
     */
    private record Variant(String label, List<String> jvmArgs, int jvm, String change) {
        boolean changed() {
            return change != null;
        }
    }

    private static final class Jvm implements AutoCloseable {
        final Variant variant;
        final Process process;
        final BufferedReader out;
        final PrintWriter in;
        final File err;

        Jvm(Variant variant, String client, String url, int warmup) throws IOException {
            this.variant = variant;
            this.err = File.createTempFile("http-turns-" + variant.label(), ".err");
            List<String> cmd = new ArrayList<>();
            cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java"); // this JDK
            cmd.addAll(variant.jvmArgs());
            cmd.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    HttpLoop.class.getName(),
                    client,
                    url,
                    "0",
                    Integer.toString(warmup),
                    "turns"));
            this.process = new ProcessBuilder(cmd).redirectError(err).start();
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.US_ASCII);
        }

        String expect(String prefix) throws IOException {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IOException(variant.label() + " ended: " + Files.readString(err.toPath()));
        }

        /** rate, cpu µs/req, B/req, JIT ms, context switches/req of one segment of n requests, with a change or none. */
        double[] segment(int n, String change) throws IOException {
            in.println(change == null ? Integer.toString(n) : n + " " + change);
            String[] f = expect("SEG ").split(" ");
            return new double[] {
                Double.parseDouble(f[1]),
                Double.parseDouble(f[2]),
                Double.parseDouble(f[3]),
                Double.parseDouble(f[4]),
                Double.parseDouble(f[6])
            };
        }

        @Override
        public void close() throws InterruptedException {
            in.close();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            err.delete();
        }
    }

    public static void main(String[] args) throws Exception {
        String client = args[0];
        String url = args[1];
        int perTurn = Integer.parseInt(args[2]);
        int turns = Integer.parseInt(args[3]);
        int instances = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        List<Variant> variants = new ArrayList<>();
        for (int i = 6; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            String label = args[i].substring(0, eq);
            String jvm = args[i].substring(eq + 1).trim();
            if (jvm.startsWith("@")) { // @base off=feature,… or @base stacks=…: the base variant's JVM with that change
                String[] w = jvm.substring(1).split(" +");
                int base = -1;
                for (int b = 0; b < variants.size() && base < 0; b++) {
                    base = variants.get(b).label().equals(w[0])
                                    && !variants.get(b).changed()
                            ? b
                            : -1;
                }
                if (w.length != 2 || !(w[1].startsWith("off=") || w[1].startsWith("stacks=")) || base < 0) {
                    throw new IllegalArgumentException(
                            label + ": expected @<earlier variant> off=<feature>[,<feature>…] or stacks=<setting>, got "
                                    + jvm);
                }
                variants.add(new Variant(label, List.of(), base, w[1]));
            } else {
                variants.add(new Variant(
                        label, jvm.isEmpty() ? List.of() : Arrays.asList(jvm.split(" +")), variants.size(), null));
            }
        }
        int v = variants.size();
        double[][][] seg = new double[v][turns * instances][];
        for (int instance = 0; instance < instances; instance++) {
            Jvm[] jvms = new Jvm[v];
            try {
                for (int i = 0; i < v; i++) {
                    if (!variants.get(i).changed()) {
                        jvms[i] = new Jvm(variants.get(i), client, url, warmup);
                        jvms[i].expect("READY");
                    }
                }
                for (Variant variant : variants) {
                    // settling: the first segment after the others' warm-ups is not counted; a changed variant's
                    // first also lets the JIT meet the other side of the change
                    jvms[variant.jvm()].segment(perTurn, variant.change());
                }
                for (int t = 0; t < turns; t++) {
                    for (int k = 0; k < v; k++) {
                        int i = t % 2 == 0 ? k : v - 1 - k;
                        seg[i][instance * turns + t] = jvms[variants.get(i).jvm()].segment(
                                perTurn, variants.get(i).change());
                    }
                }
            } finally {
                for (Jvm jvm : jvms) {
                    if (jvm != null) {
                        jvm.close();
                    }
                }
            }
        }
        turns *= instances;
        for (int i = 0; i < v; i++) {
            double[] rate = column(seg[i], 0);
            double[] cpu = column(seg[i], 1);
            double[] alloc = column(seg[i], 2);
            double[] ratio = ratios(seg, i, 0, 0);
            double[] cpuRatio = ratios(seg, i, 0, 1);
            double[] ci = medianInterval(ratio);
            System.out.printf(
                    Locale.ROOT,
                    "%s %s %.0f req/s ratio %.1f %% [%.1f, %.1f] cpu %.2f us/req (%.1f %%) alloc %.0f B/req cs %.2f/req jit %.0f ms%n",
                    client,
                    variants.get(i).label(),
                    median(rate),
                    median(ratio),
                    ci[0],
                    ci[1],
                    median(cpu),
                    median(cpuRatio),
                    median(alloc),
                    median(column(seg[i], 4)),
                    Arrays.stream(column(seg[i], 3)).sum());
            Variant variant = variants.get(i);
            if (variant.changed()) {
                // the same JVM with and without the change: no JIT luck between JVMs in this ratio
                double[] vsBase = ratios(seg, variant.jvm(), i, 0);
                double[] cpuVsBase = ratios(seg, variant.jvm(), i, 1);
                double[] ciBase = medianInterval(vsBase);
                double[] ciCpu = medianInterval(cpuVsBase);
                System.out.printf(
                        Locale.ROOT,
                        "  %s against itself with %s, in one JVM: %.1f %% [%.1f, %.1f] throughput, cpu %.1f %% [%.1f, %.1f]%n",
                        variants.get(variant.jvm()).label(),
                        variant.change(),
                        median(vsBase),
                        ciBase[0],
                        ciBase[1],
                        median(cpuVsBase),
                        ciCpu[0],
                        ciCpu[1]);
            }
            if (i > 0) {
                StringBuilder each = new StringBuilder("  per turn:");
                for (double r : ratio) {
                    each.append(String.format(Locale.ROOT, " %.0f", r));
                }
                System.out.println(each);
            }
        }
    }

    /** Per turn, 100 × field {@code c} of variant {@code a}'s segment over that of variant {@code b}'s. */
    private static double[] ratios(double[][][] seg, int a, int b, int c) {
        double[] out = new double[seg[a].length];
        for (int t = 0; t < out.length; t++) {
            out[t] = 100 * seg[a][t][c] / seg[b][t][c];
        }
        return out;
    }

    private static double[] column(double[][] rows, int c) {
        double[] out = new double[rows.length];
        for (int r = 0; r < rows.length; r++) {
            out[r] = rows[r][c];
        }
        return out;
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /**
     * A distribution-free 95 % confidence interval of the median: the order statistics k and n+1-k, k the largest
     * with P(Binomial(n, 1/2) &lt; k) ≤ 2.5 %. Needs at least 6 values; fewer give the whole range.
     */
    static double[] medianInterval(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        int k = 0; // number of values cut from each end
        double below = 0; // P(X < k+1) = P(X <= k)
        double p = Math.pow(0.5, n); // P(X = 0)
        for (int j = 0; j < n / 2; j++) {
            below += p; // now P(X <= j)
            if (below > 0.025) {
                break;
            }
            k = j + 1;
            p = p * (n - j) / (j + 1); // P(X = j+1)
        }
        return new double[] {s[k], s[n - 1 - k]};
    }
}
