package paligemma4j.model;

import java.nio.file.Path;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.checkpoint.paligemma.PaliGemmaConfig;
import paligemma4j.checkpoint.paligemma.PaliGemmaWeights;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.Weight;

/**
 * The whole model over one opened checkpoint: SigLIP + projector → image tokens; text embeddings;
 * Gemma over the prefix; then decoding. The same code path serves the real 3B checkpoints and tiny
 * test ones: every size comes from {@link PaliGemmaConfig}, inferred from the file.
 */
public final class PaliGemma implements AutoCloseable {

    private final Checkpoint checkpoint;
    private final PaliGemmaConfig config;
    private final GemmaSettings settings;
    private final SiglipEncoder vision;
    private final Gemma gemma;
    private final Ops ops;

    /** Builds the model over {@code checkpoint}, which it then owns (closed with the model). */
    public PaliGemma(Checkpoint checkpoint, PaliGemmaWeights weights, Ops ops) {
        this(checkpoint, weights, ops, WeightConverter.STORED);
    }

    /**
     * As {@link #PaliGemma(Checkpoint, PaliGemmaWeights, Ops)}, every weight matrix passed through {@code convert}
     * (its {@link WeightConverter#forInputFirst} form where {@code ops} reads input-first matrices only).
     */
    public PaliGemma(Checkpoint checkpoint, PaliGemmaWeights weights, Ops ops, WeightConverter convert) {
        this.checkpoint = checkpoint;
        this.config = weights.config();
        this.settings = weights.settings();
        this.ops = ops;
        WeightConverter releasing = releasing(ops.readsInputFirst() ? convert.forInputFirst() : convert, checkpoint);
        this.vision = new SiglipEncoder(config.vision(), weights.vision().map(releasing::convert), ops, checkpoint::release);
        this.gemma = new Gemma(config.llm(), weights.llm().map(releasing::convert), weights.llm().embedding().type(), ops);
    }

    /**
     * {@code convert}, telling the checkpoint each stored matrix it replaced by a copy, as soon as that copy is made:
     * a mapped file's pages then leave the process one matrix at a time instead of adding up to the whole file
     * beside the copies (the model reads only the copies).
     */
    private static WeightConverter releasing(WeightConverter convert, Checkpoint checkpoint) {
        return w -> {
            Weight c = convert.convert(w);
            if (c != w) checkpoint.release(w.data());
            return c;
        };
    }

    /** Opens, validates and maps a checkpoint (no tensor data is copied but small vectors). */
    public static PaliGemma load(Path file, Ops ops) {
        return load(file, ops, WeightConverter.STORED);
    }

    /** As {@link #load(Path, Ops)}, every weight matrix converted at load time (e.g. to float32 or Q8_0). */
    public static PaliGemma load(Path file, Ops ops, WeightConverter convert) {
        return load(file, ops, convert, GemmaSettings.Overrides.NONE);
    }

    /** As {@link #load(Path, Ops, WeightConverter)}, with decoder settings in place of the recognised size's defaults. */
    public static PaliGemma load(Path file, Ops ops, WeightConverter convert, GemmaSettings.Overrides settings) {
        return load(file, ops, convert, settings, MemoryGuard.NONE);
    }

    /** As {@link #load(Path, Ops, WeightConverter, GemmaSettings.Overrides)}, {@code memory} checked before any conversion. */
    public static PaliGemma load(Path file, Ops ops, WeightConverter convert, GemmaSettings.Overrides settings,
                                 MemoryGuard memory) {
        Checkpoint ckpt = Checkpoint.open(file);
        try {
            PaliGemmaWeights weights = PaliGemmaWeights.of(ckpt, settings);
            memory.check(weights);
            return new PaliGemma(ckpt, weights, ops, convert);
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    public PaliGemmaConfig config() {
        return config;
    }

    /** The decoder settings in force (soft-caps, query scale, sliding window). */
    public GemmaSettings settings() {
        return settings;
    }

    public Gemma gemma() {
        return gemma;
    }

    public Ops ops() {
        return ops;
    }

    /** Image tokens [N_img, D] of one preprocessed image [R, R, 3]. */
    public float[] encodeImage(float[] pixels, StageObserver obs) {
        return vision.forward(pixels, obs);
    }

    /**
     * Runs the prefix: image tokens followed by the embedded text ids ({@code <bos>} prompt {@code "\n"}),
     * in a cache with room for {@code extra} more tokens.
     */
    public Prefix prefill(float[] zimg, int[] textIds, int extra, KVCache.Precision precision, StageObserver obs) {
        return prefill(zimg, textIds, extra, precision, obs, 0);
    }

    /**
     * As {@link #prefill} without an observer, for a greedy decode: on a backend that runs whole
     * towers ({@link paligemma4j.kernels.TowerOps}) the prefix runs in the backend's decoder, whose KV
     * cache stays on its device. Such a prefix is valid until the next device prefill on this model. On any
     * other backend this is {@link #prefill}.
     */
    public Prefix prefillGreedy(float[] zimg, int[] textIds, int extra, KVCache.Precision precision) {
        return prefillFor(zimg, textIds, extra, precision, 1);
    }

    /**
     * As {@link #prefillGreedy} for a decode with {@code beams} hypotheses ({@link #decode} with that many beams or
     * fewer): on a whole-tower backend the decoder keeps a KV cache per hypothesis on its device and runs each beam
     * step as one batch, reordering the caches there.
     */
    public Prefix prefillFor(float[] zimg, int[] textIds, int extra, KVCache.Precision precision, int beams) {
        if (beams < 1) throw new IllegalArgumentException("beam size must be ≥ 1, got " + beams);
        return prefill(zimg, textIds, extra, precision, StageObserver.NONE, beams);
    }

    private Prefix prefill(float[] zimg, int[] textIds, int extra, KVCache.Precision precision, StageObserver obs,
                           int deviceBeams) {
        int d = config.llm().width();
        int nImg = zimg.length / d;
        float[] text = gemma.embed(textIds);
        if (obs.enabled()) obs.stage(Stages.TEXT_EMBED, text, textIds.length, d);
        int rows = nImg + textIds.length;
        float[] x = new float[rows * d];
        System.arraycopy(zimg, 0, x, 0, zimg.length);          // image tokens enter unscaled
        System.arraycopy(text, 0, x, zimg.length, text.length);
        if (deviceBeams > 0 && gemma.hasTower()) {              // the whole decoder on the backend, its cache stays there
            var device = gemma.tower(rows + extra, precision, deviceBeams);
            return new Prefix(null, rows, device.prefill(x, rows), device);
        }
        KVCache cache = gemma.newCache(rows + extra, precision);
        float[] logits = gemma.prefill(x, rows, nImg, cache, obs);
        return new Prefix(cache, rows, logits);
    }

    /**
     * Decodes after {@code prefix}: greedy for {@code beams == 1}, else big_vision's beam search.
     * Returns the generated ids before the first {@code <eos>}.
     */
    public int[] decode(Prefix prefix, int beams, int maxTokens, int eosId) {
        if (prefix.device() != null && beams > prefix.device().beams()) {
            throw new IllegalArgumentException("beam search (" + beams + " beams) needs a prefix made for that many: "
                    + "prefillFor(…, " + beams + ") or prefill(); this one's device decoder holds "
                    + prefix.device().beams());
        }
        return beams == 1
                ? GreedyDecoder.decode(decodeState(prefix), maxTokens, eosId, GreedyDecoder.TokenListener.NONE)
                : BeamSearch.decode(decodeState(prefix), beams, maxTokens, eosId);
    }

    /** The decoding state right after the prefix. */
    public DecodeState decodeState(Prefix prefix) {
        return prefix.device() == null ? new GemmaState(gemma, prefix) : new TowerState(gemma, prefix);
    }

    /** Releases the backend's towers (if any were built) and the checkpoint. */
    @Override
    public void close() {
        vision.closeTower();
        gemma.closeTower();
        checkpoint.close();
    }
}
