package paligemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.WeightType;
import paligemma4j.model.DecodeState;
import paligemma4j.model.KVCache;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.Prefix;
import paligemma4j.model.StageObserver;
import paligemma4j.model.WeightConversions;
import paligemma4j.model.WeightConverter;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * {@code paligemma accuracy}: what a load-time weight conversion ({@code --weights q8}, bf16, f16)
 * costs against a reference ({@code --reference f32} by default) on one checkpoint: the same
 * synthetic image and prompt as {@code bench}, the prefix's next-token logits compared (max
 * |Δlogit| next to the largest |logit|), and N greedy tokens from each (f32 KV cache), counted
 * until the first difference. The two models run one after the other, so memory holds one at a time.
 */
final class AccuracyCommand implements Command {

    public String name() {
        return "accuracy";
    }

    public String summary() {
        return "accuracy cost of --weights q8|bf16|f16 against --reference (logits and greedy tokens)";
    }

    public Args.Spec spec() {
        return new Args.Spec("--checkpoint C [--weights q8] [--reference f32] [options]")
                .option("checkpoint", "C", ModelPaths.CHECKPOINT_HELP, null)
                .option("tokenizer", "T", "tokenizer for the prompt (default: the Hugging Face directory's; without one: "
                        + "synthetic ids, as bench)", null)
                .option("prompt", "P", "prompt", "caption en")
                .option("weights", "stored|bf16|f32|f16|q8", "weights under test", "q8")
                .option("reference", "stored|bf16|f32|f16|q8", "reference weights", "f32")
                .option("new-tokens", "N", "greedy tokens compared (<eos> ignored)", "20")
                .option("threads", "T", "CPU threads", String.valueOf(Runtime.getRuntime().availableProcessors()))
                .flag("json", "print one JSON object");
    }

    record Result(float[] prefixLogits, int[] tokens) {}

    public int run(Args args, PrintStream out, PrintStream err) throws Exception {
        Path ckpt = args.existingFile("checkpoint");
        String[] choices = {"stored", "bf16", "f32", "f16", "q8"};
        String weights = args.choice("weights", choices);
        String reference = args.choice("reference", choices);
        int newTokens = args.positiveInt("new-tokens");
        int threads = args.positiveInt("threads");
        String prompt = args.require("prompt");
        Result ref, test;
        try (JvmOps ops = new JvmOps(threads)) {
            err.println("accuracy: reference weights " + reference);
            ref = run(ckpt, ops, converter(reference), args, prompt, newTokens, err);
            err.println("accuracy: weights " + weights);
            test = run(ckpt, ops, converter(weights), args, prompt, newTokens, err);
        }
        double maxDelta = 0, maxLogit = 0;
        for (int i = 0; i < ref.prefixLogits.length; i++) {
            maxDelta = Math.max(maxDelta, Math.abs((double) ref.prefixLogits[i] - test.prefixLogits[i]));
            maxLogit = Math.max(maxLogit, Math.abs(ref.prefixLogits[i]));
        }
        int agree = 0;
        while (agree < newTokens && ref.tokens[agree] == test.tokens[agree]) agree++;
        if (args.flag("json")) {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("weights", weights);
            o.put("reference", reference);
            o.put("max_abs_logit_diff", maxDelta);
            o.put("max_abs_logit", maxLogit);
            o.put("greedy_tokens_equal", agree);
            o.put("new_tokens", newTokens);
            var a = o.putArray("tokens");
            for (int t : test.tokens) a.add(t);
            var b = o.putArray("reference_tokens");
            for (int t : ref.tokens) b.add(t);
            out.println(o);
        } else {
            out.printf("%s vs %s on %s: prefix logits max |Δ| %.4g (max |logit| %.4g); greedy tokens equal %d/%d%n",
                    weights, reference, ckpt.getFileName(), maxDelta, maxLogit, agree, newTokens);
            out.println("  " + reference + ": " + java.util.Arrays.toString(ref.tokens));
            out.println("  " + weights + ": " + java.util.Arrays.toString(test.tokens));
        }
        return 0;
    }

    /**
     * The load-time conversion for a {@code --weights} value (stored|bf16|f32|f16|q8), shared with {@code bench}; a
     * backend that reads input-first matrices only gets its {@link WeightConverter#forInputFirst} form from the model.
     */
    static WeightConverter converter(String weights) {
        WeightType target = targetType(weights);
        return target == null ? WeightConverter.STORED : WeightConversions.to(target);
    }

    /** The matrices' type after the {@code --weights} conversion, or null for stored. */
    static WeightType targetType(String weights) {
        return switch (weights) {
            case "stored" -> null;
            case "bf16" -> WeightType.BF16;
            case "f32" -> WeightType.F32;
            case "f16" -> WeightType.F16;
            default -> WeightType.Q8_0;
        };
    }

    private static Result run(Path ckpt, JvmOps ops, WeightConverter convert, Args args, String prompt, int n,
                              PrintStream err) throws Exception {
        try (PaliGemma m = PaliGemma.load(ckpt, ops, convert)) {
            int vocab = m.config().llm().vocab();
            int[] ids;
            Path tokPath = ModelPaths.optionalTokenizer(args, ckpt);
            if (tokPath != null) {
                Tokenizer tokenizer = Tokenizer.load(tokPath);
                TokenizerCheck.requireMatch(tokenizer, vocab, ckpt);
                ids = tokenizer.prefixTokens(prompt);
            } else {
                ids = BenchCommand.syntheticIds(prompt, vocab);
            }
            float[] pixels = BenchCommand.syntheticImage(m.config().vision().resolution());
            Prefix p = m.prefill(m.encodeImage(pixels, StageObserver.NONE), ids, n, KVCache.Precision.F32,
                    StageObserver.NONE);
            float[] prefixLogits = p.logits().clone();
            DecodeState s = m.decodeState(p);
            int[] tokens = new int[n];
            for (int t = 0; t < n; t++) {
                tokens[t] = m.ops().argmax(s.logits(), 0, vocab);
                if (t + 1 < n) s.advance(tokens[t]);
            }
            return new Result(prefixLogits, tokens);
        }
    }
}
