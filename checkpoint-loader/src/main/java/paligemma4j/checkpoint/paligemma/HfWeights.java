package paligemma4j.checkpoint.paligemma;

import static paligemma4j.checkpoint.paligemma.HfLayout.*;
import static paligemma4j.checkpoint.paligemma.PaliGemmaLayout.source;
import static paligemma4j.checkpoint.paligemma.PaliGemmaLayout.toInt;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.kernels.DecoderTower;

/**
 * A Hugging Face PaliGemma checkpoint as {@link PaliGemmaWeights}: sizes from the shapes plus {@code config.json}
 * ({@link HfConfig}), every tensor checked as for npz (one error listing every problem), then the towers
 * ({@link HfTowers}).
 */
final class HfWeights {
    private HfWeights() {}

    /** The stored tensors under their canonical names; a name reached from two layouts at once is a problem. */
    record Canonical(Map<String, Tensor> tensors, Map<String, String> stored, Map<String, long[]> shapes) {}

    static Canonical canonical(Checkpoint c, List<String> problems) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> stored = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Tensor t : c.tensors().values()) {
            String name = HfLayout.canonical(t.key());
            if (name == null) {
                problems.add("unexpected " + t.key() + " " + Arrays.toString(t.shape()));
                continue;
            }
            if (stored.containsKey(name)) {
                problems.add(t.key() + " and " + stored.get(name) + " are the same tensor in two layouts");
                continue;
            }
            tensors.put(name, t);
            stored.put(name, t.key());
            shapes.put(name, t.shape());
        }
        return new Canonical(tensors, stored, shapes);
    }

    /** The sizes: widths, depths and MLP sizes from the shapes; head counts from the config. */
    static PaliGemmaConfig infer(Canonical k, HfConfig hf, List<String> problems) {
        int before = problems.size();
        long[] patch = source(k.shapes(), PATCH_WEIGHT, 4, problems);
        long[] pos = source(k.shapes(), POSITIONS, 2, problems);
        long[] fc1 = source(k.shapes(), visionLayer(0, "mlp.fc1.weight"), 2, problems);
        long[] embed = source(k.shapes(), EMBED, 2, problems);
        long[] gate = source(k.shapes(), textLayer(0, "mlp.gate_proj.weight"), 2, problems);
        if (!hf.textModel().equals("gemma") && !hf.gemma2()) {
            problems.add("text_config.model_type '" + hf.textModel() + "' is not supported: expected gemma (PaliGemma) or gemma2"
                    + " (PaliGemma 2)");
        } else if (!hf.gemma2() && k.shapes().containsKey(textLayer(0, "post_feedforward_layernorm.weight"))) {
            problems.add(k.stored().get(textLayer(0, "post_feedforward_layernorm.weight"))
                    + ": a Gemma 2 layer but text_config.model_type is '" + hf.textModel() + "', expected gemma2");
        }
        if (problems.size() > before) return null;
        long grid = Math.round(Math.sqrt((double) pos[0]));
        if (grid * grid != pos[0]) {
            problems.add(k.stored().get(POSITIONS) + ": expected a square number of image tokens, found " + pos[0]);
            return null;
        }
        if (patch[2] != hf.patch()) {
            problems.add(k.stored().get(PATCH_WEIGHT) + ": patch " + patch[2] + " but config.json says patch_size " + hf.patch());
        }
        int vHeads = hf.visionHeads();
        long width = patch[0];
        try {
            if (vHeads <= 0 || width % vHeads != 0) {
                throw new IllegalArgumentException("vision width " + width + " is not a multiple of vision_config.num_attention_heads "
                        + vHeads);
            }
            long rows = embed[0];
            long vocab = hf.imageTokenId() > 0 && hf.imageTokenId() < rows ? hf.imageTokenId() : rows;
            SiglipConfig vision = new SiglipConfig(toInt(grid * patch[2]), toInt(patch[2]), toInt(width),
                    toInt(depth(k.shapes(), "vision.encoder")), toInt(fc1[0]), vHeads, toInt(width / vHeads));
            GemmaConfig llm = new GemmaConfig(toInt(vocab), toInt(embed[1]), toInt(depth(k.shapes(), "text")), hf.heads(),
                    hf.kvHeads(), hf.headDim(), toInt(gate[0]), hf.gemma2());
            return new PaliGemmaConfig(vision, llm);
        } catch (IllegalArgumentException | ArithmeticException e) {
            problems.add("inconsistent sizes: " + e.getMessage());
            return null;
        }
    }

    /** A checked Hugging Face checkpoint: its tensors by canonical name, the sizes and the config.json settings. */
    record Checked(Canonical tensors, PaliGemmaConfig config, HfConfig hf) {}

    static PaliGemmaWeights of(Checkpoint c, GemmaSettings.Overrides overrides) {
        Checked k = check(c);
        Arena arena = Arena.ofAuto();
        GemmaSettings settings = overrides.apply(settings(k.hf(), k.config().llm()));
        return new PaliGemmaWeights(k.config(), HfTowers.vision(c, k.tensors().tensors(), k.config(), k.hf(), arena),
                HfTowers.llm(k.tensors().tensors(), k.config(), k.hf(), settings), settings);
    }

    /**
     * The decoder settings config.json gives: its soft-caps, and the query scale its query_pre_attn_scalar names
     * (head_dim, or width / heads as Gemma 2 27B). The sliding window stays off as in big_vision (transformers'
     * 4096 only matters past 4096 positions).
     */
    static GemmaSettings settings(HfConfig hf, GemmaConfig g) {
        return new GemmaSettings(hf.finalSoftCap(), hf.attnSoftCap(), queryScale(hf, g), 0);
    }

    private static QueryScale queryScale(HfConfig hf, GemmaConfig g) {
        int s = hf.queryPreAttnScalar();
        if (s == 0 || s == g.headDim()) return QueryScale.HEAD_DIM;
        if (s == g.width() / g.heads()) return QueryScale.WIDTH_PER_HEAD;
        return null;
    }

    /** Infers the sizes and checks every tensor; one {@link CheckpointException} listing all problems. */
    static Checked check(Checkpoint c) {
        HfConfig hf = HfConfig.near(c.file());
        List<String> problems = new ArrayList<>();
        Canonical k = canonical(c, problems);
        PaliGemmaConfig config = infer(k, hf, problems);
        long rows = k.shapes().containsKey(EMBED) ? k.shapes().get(EMBED)[0] : 0;
        if (config != null) problems.addAll(HfLayout.problems(k.shapes(), k.stored(), config, rows));
        if (config != null && queryScale(hf, config.llm()) == null) {
            problems.add("text_config.query_pre_attn_scalar is " + hf.queryPreAttnScalar() + ", expected head_dim "
                    + config.llm().headDim() + " or hidden_size / num_attention_heads " + config.llm().width() / config.llm().heads());
        }
        Tensor head = k.tensors().get(LM_HEAD);
        if (head != null && config != null && !Arrays.equals(head.shape(), new long[] {rows, config.llm().width()})) {
            problems.add(k.stored().get(LM_HEAD) + ": expected shape " + Arrays.toString(new long[] {rows, config.llm().width()})
                    + " (tied to the embedding), found " + Arrays.toString(head.shape()));
        }
        for (Tensor t : k.tensors().values()) {
            if (!t.dtype().isFloat()) problems.add(t.key() + ": expected a float dtype, found " + t.dtype().jsonName);
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(c.file() + ": not a valid Hugging Face PaliGemma checkpoint, " + problems.size()
                    + (problems.size() == 1 ? " problem: " : " problems: ") + String.join("; ", problems));
        }
        return new Checked(k, config, hf);
    }
}
