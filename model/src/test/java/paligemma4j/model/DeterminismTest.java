package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.JvmOps;
import paligemma4j.model.parity.StageRecorder;
import paligemma4j.model.tokenizer.Tokenizer;

/** The JVM backend gives bit-identical results from run to run and for any thread count. */
class DeterminismTest {

    static float[] prefixLogits(JvmOps ops) throws Exception {
        Path res = Path.of("src/test/resources");
        Tokenizer tok = Tokenizer.load(res.resolve("tokenizer/tiny.model"));
        try (PaliGemma m = PaliGemma.load(res.resolve("tiny/tiny-224.npz"), ops)) {
            StageRecorder rec = new StageRecorder();
            float[] z = m.encodeImage(TransformersParityTest.hashImage(0, 224), rec);
            m.prefill(z, tok.prefixTokens("answer en what is in the image?"), 0, KVCache.Precision.F32, rec);
            return rec.stages().get(Stages.PREFIX_LOGITS).data();
        }
    }

    @Test
    void repeatedRunsAndThreadCountsAgreeBitForBit() throws Exception {
        float[] reference;
        try (JvmOps one = new JvmOps(1)) {
            reference = prefixLogits(one);
        }
        for (int threads : new int[] {2, 3, 2}) {
            try (JvmOps ops = new JvmOps(threads)) {
                assertThat(prefixLogits(ops)).as("%d threads", threads).containsExactly(reference);
            }
        }
    }
}
