package paligemma4j.checkpoint.paligemma;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.Tensor;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.VitTower;

/**
 * A PaliGemma checkpoint as the model and the backends take it: the sizes, and per tower the weights of every
 * layer ({@link VitTower}, {@link DecoderTower}), validated against the sizes inferred from the 32 tensors' shapes
 * (the big_vision layout is described in docs/model.md#tensor-table). Matrices are the checkpoint's own
 * mapped bytes in their stored type (no copy; valid until it is closed); biases and norm parameters are float32.
 * A Hugging Face checkpoint ({@link HfLayout}) gives the same towers, its linear weights as transposed copies.
 *
 * @param config   the sizes, inferred from the shapes
 * @param vision   SigLIP tower and projector ({@code img/…})
 * @param llm      Gemma decoder ({@code llm/…}), with {@code settings} in force
 * @param settings the decoder settings a checkpoint cannot carry
 */
public record PaliGemmaWeights(PaliGemmaConfig config, VitTower vision, DecoderTower llm, GemmaSettings settings) {

    /**
     * Infers the config from {@code c}'s shapes, checks all 32 tensors (present, float, shaped as the
     * config says, nothing else in the file) and returns the typed view. On any defect throws ONE
     * {@link CheckpointException} listing every missing, unexpected and mis-shaped key with expected
     * vs actual shape.
     */
    public static PaliGemmaWeights of(Checkpoint c) {
        return of(c, GemmaSettings.Overrides.NONE);
    }

    /** As {@link #of(Checkpoint)}, with the given settings in place of the size's defaults. */
    public static PaliGemmaWeights of(Checkpoint c, GemmaSettings.Overrides overrides) {
        if (HfLayout.recognizes(c.tensors().keySet())) return HfWeights.of(c, overrides);
        Map<String, long[]> shapes = shapes(c);
        List<String> problems = new ArrayList<>();
        PaliGemmaConfig config = PaliGemmaLayout.infer(shapes, problems);
        if (config == null) {
            List<String> all = PaliGemmaLayout.keyProblems(shapes);
            for (String p : problems) if (!all.contains(p)) all.add(p);
            problems = all;
        } else {
            problems.addAll(PaliGemmaLayout.problems(shapes, config));
        }
        for (Tensor t : c.tensors().values()) {
            if (PaliGemmaLayout.known(t.key()) && !t.dtype().isFloat()) problems.add(t.key() + ": expected a float dtype, found " + t.dtype().jsonName);
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(c.file() + ": not a valid PaliGemma checkpoint, " + problems.size()
                    + (problems.size() == 1 ? " problem: " : " problems: ") + String.join("; ", problems)
                    + ". Found " + found(shapes) + "; known layouts: PaliGemma (Gemma decoder, 32 tensors) and PaliGemma 2"
                    + " (Gemma 2 decoder: also " + PaliGemmaLayout.POST_ATTENTION_NORM + " and "
                    + PaliGemmaLayout.POST_FFW_NORM + ")");
        }
        GemmaSettings settings = overrides.apply(GemmaSettings.defaults(config.llm()));
        return new PaliGemmaWeights(config, BigVisionTowers.vision(c, config), BigVisionTowers.llm(c, config, settings),
                settings);
    }

    /** The config implied by {@code c}'s shapes (no full validation; see {@link #of}). */
    public static PaliGemmaConfig infer(Checkpoint c) {
        if (HfLayout.recognizes(c.tensors().keySet())) {
            List<String> problems = new ArrayList<>();
            PaliGemmaConfig config = HfWeights.infer(HfWeights.canonical(c, new ArrayList<>()), HfConfig.near(c.file()), problems);
            if (config == null) throw new CheckpointException(c.file() + ": cannot infer the PaliGemma config: " + String.join("; ", problems));
            return config;
        }
        return PaliGemmaLayout.infer(c.file().toString(), shapes(c));
    }

    /**
     * The decoder settings in force for {@code c} when no option is given: a Hugging Face checkpoint's from its
     * config.json, otherwise the defaults of the size its shapes show ({@link GemmaSettings#defaults}).
     */
    public static GemmaSettings defaultSettings(Checkpoint c) {
        if (HfLayout.recognizes(c.tensors().keySet())) return HfWeights.settings(HfConfig.near(c.file()), infer(c).llm());
        return GemmaSettings.defaults(infer(c).llm());
    }

    /** What a checkpoint holds, in short: its tensor count and the decoder's defining shapes. */
    private static String found(Map<String, long[]> shapes) {
        StringBuilder sb = new StringBuilder(shapes.size() + " tensors");
        for (String key : List.of(PaliGemmaLayout.INPUT_EMBEDDING, PaliGemmaLayout.Q_EINSUM, PaliGemmaLayout.KV_EINSUM,
                PaliGemmaLayout.GATING_EINSUM, PaliGemmaLayout.POST_ATTENTION_NORM, PaliGemmaLayout.POST_FFW_NORM,
                PaliGemmaLayout.IMG_POS_EMBEDDING)) {
            long[] s = shapes.get(key);
            sb.append(", ").append(key).append(' ').append(s == null ? "absent" : java.util.Arrays.toString(s));
        }
        return sb.toString();
    }

    /** Every tensor's shape by key, in file order. */
    static Map<String, long[]> shapes(Checkpoint c) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Tensor t : c.tensors().values()) shapes.put(t.key(), t.shape());
        return shapes;
    }
}
