package paligemma4j.cli;

import paligemma4j.model.Sampling;

/** {@code --temperature --top-p --top-k --seed}: the options that choose sampling over greedy decoding. */
final class SamplingOptions {
    private SamplingOptions() {}

    static Args.Spec add(Args.Spec spec) {
        return spec
                .option("temperature", "T", "sample from softmax(logits / T); 0 = greedy", "0")
                .option("top-p", "P", "nucleus sampling: keep the most likely tokens up to mass P (big_vision's nucleus)", "1")
                .option("top-k", "K", "keep only the K most likely tokens (0 = all)", "0")
                .option("seed", "S", "random seed of the sampler: the same seed gives the same tokens (default: random)", null);
    }

    /** The sampling the options ask for; a random seed when none is given. */
    static Sampling parse(Args args) {
        double t = number(args, "temperature");
        double p = number(args, "top-p");
        int k = args.getInt("top-k");
        long seed = args.has("seed") ? longValue(args, "seed") : new java.security.SecureRandom().nextLong();
        if (!(t >= 0) || Double.isInfinite(t)) throw new UsageException("--temperature must be ≥ 0, got " + args.get("temperature"));
        if (!(p > 0 && p <= 1)) throw new UsageException("--top-p must be in (0, 1], got " + args.get("top-p"));
        if (k < 0) throw new UsageException("--top-k must be ≥ 0, got " + k);
        return new Sampling(t, p, k, seed);
    }

    private static double number(Args args, String name) {
        String v = args.require(name);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects a number, got '" + v + "'");
        }
    }

    private static long longValue(Args args, String name) {
        String v = args.require(name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects an integer, got '" + v + "'");
        }
    }
}
