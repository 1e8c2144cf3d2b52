package paligemma4j.eval.shard;

import paligemma4j.eval.EvalException;

/**
 * Shard {@code index} (0-based) of {@code count}: {@code --shard K/N}. Its examples are
 * {@link ShardSplit#split}'s part {@code index}; a sharded run writes them to {@code RUN_DIR/shard-K/}.
 */
public record Shard(int index, int count) {
    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new EvalException("--shard: expected K/N with 0 <= K < N, got " + index + "/" + count);
        }
    }

    /** Parses {@code "K/N"}; a malformed value is one line naming the expected form. */
    public static Shard parse(String s) {
        String[] kn = s.strip().split("/", -1);
        try {
            if (kn.length == 2) return new Shard(Integer.parseInt(kn[0].strip()), Integer.parseInt(kn[1].strip()));
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new EvalException("--shard: expected K/N (shard K, 0-based, of N), got '" + s + "'");
    }

    /** {@code "K/N"}, as run.json records it. */
    public String label() {
        return index + "/" + count;
    }

    /** The directory a sharded run gives this shard inside RUN_DIR. */
    public String dirName() {
        return "shard-" + index;
    }
}
