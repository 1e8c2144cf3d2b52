package paligemma4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.checkpoint.paligemma.QueryScale;

/**
 * The decoder settings a checkpoint cannot carry, as options of {@code generate}, {@code eval}, {@code parity} and
 * {@code bench}; unset options keep the recognised size's defaults ({@link GemmaSettings#defaults}), or for a Hugging Face
 * checkpoint its config.json's.
 */
final class DecoderOptions {

    private DecoderOptions() {}

    static Args.Spec add(Args.Spec spec) {
        return spec
                .option("final-logit-softcap", "F", "decode steps' logits → F·tanh(logits/F), 0 disables (default: 30 for "
                        + "PaliGemma 2, off for PaliGemma)", null)
                .option("attn-logit-softcap", "F", "attention logits → F·tanh(l/F), 0 disables (default: 50 for "
                        + "PaliGemma 2, off for PaliGemma)", null)
                .option("query-scale", "head-dim|width-per-head", "q·head_dim^-½ or q·(width // heads)^-½ after RoPE "
                        + "(default: width-per-head for the 28B shapes, else head-dim)", null)
                .option("sliding-window", "N", "even layers attend to the last N positions only, as transformers' Gemma 2 "
                        + "(default: off, as big_vision)", null);
    }

    /** The settings in force for the checkpoint at {@code ckpt} (its size's defaults, then the options given). */
    static GemmaSettings resolve(java.nio.file.Path ckpt, GemmaSettings.Overrides given) {
        try (var c = paligemma4j.checkpoint.Checkpoint.open(ckpt)) {
            return given.apply(paligemma4j.checkpoint.paligemma.PaliGemmaWeights.defaultSettings(c));
        }
    }

    /** The options given, null where not. */
    static GemmaSettings.Overrides parse(Args args) {
        QueryScale scale = null;
        if (args.has("query-scale")) {
            try {
                scale = QueryScale.parse(args.get("query-scale"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--query-scale: " + e.getMessage());
            }
        }
        Integer window = null;
        if (args.has("sliding-window")) {
            window = args.getInt("sliding-window");
            if (window < 0) throw new UsageException("--sliding-window must be ≥ 0 (0 = off), got " + window);
        }
        return new GemmaSettings.Overrides(cap(args, "final-logit-softcap"), cap(args, "attn-logit-softcap"), scale, window);
    }

    private static Float cap(Args args, String name) {
        if (!args.has(name)) return null;
        String v = args.get(name);
        float f;
        try {
            f = Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " expects a number ≥ 0 (0 disables), got '" + v + "'");
        }
        if (!(f >= 0f) || Float.isInfinite(f)) {
            throw new UsageException("--" + name + " expects a number ≥ 0 (0 disables), got '" + v + "'");
        }
        return f;
    }

    /** {@code "settings": {final_logit_softcap, attn_logit_softcap, query_scale, sliding_window}} into {@code o}. */
    static void put(ObjectNode o, GemmaSettings s) {
        ObjectNode j = o.putObject("settings");
        j.put("final_logit_softcap", s.finalLogitSoftCap());
        j.put("attn_logit_softcap", s.attnLogitSoftCap());
        j.put("query_scale", s.queryScale().option);
        j.put("sliding_window", s.slidingWindow());
    }

    /** One line: "final logit soft-cap 30, attention logit soft-cap 50, query scale head-dim, sliding window off". */
    static String describe(GemmaSettings s) {
        return "final logit soft-cap " + number(s.finalLogitSoftCap()) + ", attention logit soft-cap "
                + number(s.attnLogitSoftCap()) + ", query scale " + s.queryScale().option + ", sliding window "
                + (s.slidingWindow() == 0 ? "off" : String.valueOf(s.slidingWindow()));
    }

    private static String number(float f) {
        return f == 0f ? "off" : f == Math.rint(f) ? String.valueOf((long) f) : String.valueOf(f);
    }
}
