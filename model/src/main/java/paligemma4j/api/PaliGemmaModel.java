package paligemma4j.api;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.paligemma.PaliGemmaConfig;
import paligemma4j.kernels.JvmOps;
import paligemma4j.model.BeamSearch;
import paligemma4j.model.GreedyDecoder;
import paligemma4j.model.KVCache;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.Prefix;
import paligemma4j.model.Sampler;
import paligemma4j.model.Sampling;
import paligemma4j.model.StageObserver;
import paligemma4j.model.TokenStream;
import paligemma4j.model.image.ImageException;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.image.Resize;
import paligemma4j.model.image.RgbImage;
import paligemma4j.model.output.BoxConvention;
import paligemma4j.model.output.ParsedAnswer;
import paligemma4j.model.output.VqVaeDecoder;
import paligemma4j.model.tokenizer.Tokenizer;
import paligemma4j.model.tokenizer.TokenizerException;

/**
 * A loaded PaliGemma model with its tokenizer, on the pure-Java backend. Thread-safe: calls from several threads
 * run one at a time. Close it to release the checkpoint mapping and the worker threads.
 *
 * <pre>{@code
 * try (PaliGemmaModel model = PaliGemmaModel.load(Path.of("paligemma-3b-mix-224"))) {
 *     Answer a = model.generate(new Request(Path.of("cat.jpg"), "caption en"));
 *     System.out.println(a.text());
 * }
 * }</pre>
 */
public final class PaliGemmaModel implements AutoCloseable {
    /** Tokenizer file names looked for in or beside the checkpoint, in this order. */
    public static final List<String> TOKENIZER_NAMES = List.of("paligemma_tokenizer.model", "tokenizer.model", "tokenizer.json");

    private final PaliGemma model;
    private final Tokenizer tokenizer;
    private final JvmOps ops;
    /** The mask decoder, or null (no masks). */
    private final VqVaeDecoder vae;

    private PaliGemmaModel(PaliGemma model, Tokenizer tokenizer, JvmOps ops, VqVaeDecoder vae) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.ops = ops;
        this.vae = vae;
    }

    /** Loads {@code checkpoint} with the default options (tokenizer found in or beside it, all cores). */
    public static PaliGemmaModel load(Path checkpoint) {
        return load(checkpoint, LoadOptions.defaults());
    }

    /**
     * Loads {@code checkpoint} (npz, msgpack, Hugging Face directory or .safetensors), its tokenizer and, when given or
     * found beside it, the VQ-VAE mask decoder.
     */
    public static PaliGemmaModel load(Path checkpoint, LoadOptions options) {
        if (checkpoint == null || !Files.exists(checkpoint)) throw new PaliGemmaException("checkpoint " + checkpoint + ": no such file");
        Path tokFile = options.tokenizer() != null ? options.tokenizer() : tokenizerNear(checkpoint);
        Path vaeFile = options.vae() != null ? options.vae() : vaeNear(checkpoint);
        if (vaeFile != null && !Files.isReadable(vaeFile)) throw new PaliGemmaException("VQ-VAE " + vaeFile + ": no such file");
        JvmOps ops = new JvmOps(options.threads());
        PaliGemma model = null;
        try {
            Tokenizer tokenizer = Tokenizer.load(tokFile);
            VqVaeDecoder vae = vaeFile == null ? null : VqVaeDecoder.load(vaeFile);
            model = PaliGemma.load(checkpoint, ops);
            requireMatch(tokenizer, model.config().llm().vocab(), checkpoint);
            return new PaliGemmaModel(model, tokenizer, ops, vae);
        } catch (RuntimeException e) {
            if (model != null) model.close();
            ops.close();
            throw wrap(e);
        }
    }

    /** The sizes read from the checkpoint. */
    public PaliGemmaConfig config() {
        return model.config();
    }

    /** Answers one request with the default options. */
    public Answer generate(Request request) {
        return generate(request, GenerateOptions.defaults(), null);
    }

    /** Answers one request; {@code listener} (may be null) receives each token as it is generated. */
    public synchronized Answer generate(Request request, GenerateOptions options, TokenListener listener) {
        try {
            return answer(request, options, listener);
        } catch (RuntimeException e) {
            throw wrap(e);
        }
    }

    /** Answers each request in turn (the same answers as one by one: each sequence attends only to its own tokens). */
    public synchronized List<Answer> generateAll(List<Request> requests, GenerateOptions options) {
        List<Answer> out = new ArrayList<>(requests.size());
        for (Request r : requests) out.add(generate(r, options, null));
        return out;
    }

    private Answer answer(Request r, GenerateOptions o, TokenListener listener) {
        int[] prefixIds = tokenizer.prefixTokens(r.prompt());
        long t = System.nanoTime();
        if (!Files.isReadable(r.image())) throw new PaliGemmaException("image " + r.image() + ": no such file");
        RgbImage image = ImagePreprocessor.decodeRgb(r.image());
        float[] pixels = ImagePreprocessor.preprocess(image, config().vision().resolution(),
                o.antialias() ? Resize.BILINEAR_ANTIALIAS : Resize.BILINEAR);
        double preprocess = ms(t);
        t = System.nanoTime();
        float[] zimg = model.encodeImage(pixels, StageObserver.NONE);
        double vision = ms(t);
        t = System.nanoTime();
        KVCache.Precision kv = o.f32Cache() ? KVCache.Precision.F32 : KVCache.Precision.BF16;
        Prefix prefix = model.prefill(zimg, prefixIds, o.maxTokens(), kv, StageObserver.NONE);
        double prefill = ms(t);
        t = System.nanoTime();
        GreedyDecoder.TokenListener each = listener == null ? GreedyDecoder.TokenListener.NONE
                : (step, id) -> listener.onToken(step, id, tokenizer.decode(new int[] {id}));
        int[] tokens;
        if (o.beams() > 1) {
            tokens = BeamSearch.decode(model.decodeState(prefix), o.beams(), o.maxTokens(), tokenizer.eosId());
            for (int i = 0; i < tokens.length; i++) each.token(i, tokens[i]);
        } else if (o.temperature() > 0) {
            Sampling s = new Sampling(o.temperature(), o.topP(), o.topK(), o.seed());
            tokens = new TokenStream(model.decodeState(prefix), new Sampler(s), o.maxTokens(), tokenizer.eosId()).run(each);
        } else {
            tokens = GreedyDecoder.decode(model.decodeState(prefix), o.maxTokens(), tokenizer.eosId(), each);
        }
        double decode = ms(t);
        String text = tokenizer.decode(tokens);
        ParsedAnswer parsed = ParsedAnswer.parse(r.prompt(), text, image.height(), image.width(),
                o.demoBoxes() ? BoxConvention.DEMO : BoxConvention.BIG_VISION);
        AnswerMasks masks = AnswerMasks.of(parsed.objects(), image.width(), image.height(), vae);
        List<String> warnings = new ArrayList<>(parsed.warnings());
        warnings.addAll(masks.warnings());
        return new Answer(r.prompt(), text, tokens, parsed.objects(), masks.masks(), warnings,
                new Timings(preprocess, vision, prefill, decode));
    }

    /** Releases the checkpoint and the worker threads. */
    @Override
    public synchronized void close() {
        model.close();
        ops.close();
    }

    static Path tokenizerNear(Path checkpoint) {
        Path dir = Files.isDirectory(checkpoint) ? checkpoint : checkpoint.toAbsolutePath().getParent();
        for (String name : TOKENIZER_NAMES) {
            Path p = dir.resolve(name);
            if (Files.isReadable(p)) return p;
        }
        throw new PaliGemmaException("no tokenizer given and none of " + String.join(", ", TOKENIZER_NAMES)
                + (Files.isDirectory(checkpoint) ? " in " : " beside ") + checkpoint);
    }

    /** {@link LoadOptions#VAE_NAME} in or beside the checkpoint, or null. */
    static Path vaeNear(Path checkpoint) {
        Path dir = Files.isDirectory(checkpoint) ? checkpoint : checkpoint.toAbsolutePath().getParent();
        Path p = dir.resolve(LoadOptions.VAE_NAME);
        return Files.isReadable(p) ? p : null;
    }

    /** The tokenizer must have the checkpoint's vocabulary, plus at most the {@code <image>} piece. */
    private static void requireMatch(Tokenizer tokenizer, int vocab, Path checkpoint) {
        int n = tokenizer.vocabSize();
        boolean extraOnlyImage = n > vocab;
        for (int id = vocab; id < n && extraOnlyImage; id++) extraOnlyImage = "<image>".equals(tokenizer.piece(id));
        if (n < vocab || (n > vocab && !extraOnlyImage)) {
            throw new PaliGemmaException("tokenizer " + tokenizer.file() + " has " + n + " pieces but checkpoint " + checkpoint
                    + " has a vocabulary of " + vocab + " rows: they do not belong together");
        }
    }

    private static RuntimeException wrap(RuntimeException e) {
        if (e instanceof PaliGemmaException) return e;
        if (e instanceof CheckpointException || e instanceof TokenizerException || e instanceof ImageException
                || e instanceof IllegalArgumentException || e instanceof UncheckedIOException) {
            return new PaliGemmaException(e.getMessage(), e);
        }
        return e;
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
