package paligemma4j.eval.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import paligemma4j.eval.EvalExample;
import paligemma4j.model.PaliGemma;
import paligemma4j.model.Prefix;
import paligemma4j.model.StageObserver;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * Turns one example into one predictions line, big_vision's eval pipeline (docs/eval-protocols.md#shared-pipeline):
 * image → resize → [−1, 1] → image tokens; {@code [<bos>] + prompt + "\n"} capped at {@code text_len}; prefix-LM
 * prefill; greedy or beam decoding; ids → text up to EOS. The prefix runs through {@link PaliGemma#prefillFor} with the
 * protocol's beam count (as {@code generate} does; on a whole-tower backend the decode, beam search included, then stays
 * on its device). The image tokens of the last image are kept, so consecutive examples on
 * the same image (POPE's 6 questions, RefCOCO's expressions) encode it once.
 */
final class ExampleRunner {
    private final PaliGemma model;
    private final Tokenizer tokenizer;
    private final Protocol protocol;
    private final int resolution;
    private Path cachedImage;
    private float[] cachedTokens;
    private int imagesEncoded;

    ExampleRunner(ModelSession session, Protocol protocol) {
        this.model = session.model();
        this.tokenizer = session.tokenizer();
        this.protocol = protocol;
        this.resolution = model.config().vision().resolution();
    }

    /**
     * The predictions line: {@code id}, {@code answer} (the decoded text), {@code tokens} (the generated
     * pieces, as RefCOCO scoring reads them), {@code ids} (the generated ids, EOS excluded),
     * {@code prompt_tokens}, {@code image_encoded} (false when the previous image's tokens were reused)
     * and {@code ms} timings.
     */
    ObjectNode run(EvalExample ex) {
        long t0 = System.nanoTime();
        double preprocessMs = 0, visionMs = 0;
        boolean encoded = !ex.image().equals(cachedImage);
        if (encoded) {
            cachedImage = null;
            float[] pixels = ImagePreprocessor.preprocess(ex.image(), resolution, protocol.resize());
            long t1 = System.nanoTime();
            preprocessMs = (t1 - t0) / 1e6;
            cachedTokens = model.encodeImage(pixels, StageObserver.NONE);
            cachedImage = ex.image();
            imagesEncoded++;
            visionMs = (System.nanoTime() - t1) / 1e6;
        }
        long t2 = System.nanoTime();
        int[] prompt = TextLen.cap(tokenizer.prefixTokens(ex.prompt()), protocol.textLen());
        // on a whole-tower backend (TornadoVM) the prefill and every step (greedy or beam) then run in its
        // device-resident decoder; on any other backend prefillFor is prefill
        Prefix prefix = model.prefillFor(cachedTokens, prompt, protocol.maxTokens(), protocol.kvCache(), protocol.beam());
        long t3 = System.nanoTime();
        int[] ids = model.decode(prefix, protocol.beam(), protocol.maxTokens(), tokenizer.eosId());
        long t4 = System.nanoTime();

        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("id", ex.id());
        o.put("answer", tokenizer.decode(ids));
        ArrayNode pieces = o.putArray("tokens");
        ArrayNode idArray = o.putArray("ids");
        for (int id : ids) {
            pieces.add(tokenizer.piece(id));
            idArray.add(id);
        }
        o.put("prompt", ex.prompt());
        o.put("prompt_tokens", prompt.length);
        o.put("image_encoded", encoded);
        ObjectNode ms = o.putObject("ms");
        ms.put("preprocess", round(preprocessMs));
        ms.put("vision", round(visionMs));
        ms.put("prefill", round((t3 - t2) / 1e6));
        ms.put("decode", round((t4 - t3) / 1e6));
        ms.put("total", round((t4 - t0) / 1e6));
        return o;
    }

    int imagesEncoded() {
        return imagesEncoded;
    }

    int resolution() {
        return resolution;
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
