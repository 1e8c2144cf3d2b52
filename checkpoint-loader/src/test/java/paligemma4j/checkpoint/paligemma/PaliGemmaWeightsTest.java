package paligemma4j.checkpoint.paligemma;

import java.lang.foreign.MemorySegment;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.VitTower;
import paligemma4j.kernels.Weight;
import paligemma4j.kernels.WeightType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.CheckpointException;
import paligemma4j.checkpoint.Fixtures;
import paligemma4j.checkpoint.Tensor;

/** The config inferred from shapes, the parameter count and the typed view, tiny and full-size. */
class PaliGemmaWeightsTest {

    /** PaliGemma-3B shapes as listed in docs/model.md#tensor-table (224: 256 image tokens). */
    static Map<String, long[]> paligemma3b(int imageTokens) {
        Map<String, long[]> m = new LinkedHashMap<>();
        String b = "img/Transformer/encoderblock/";
        String a = b + "MultiHeadDotProductAttention_0/";
        m.put("img/embedding/kernel", new long[] {14, 14, 3, 1152});
        m.put("img/embedding/bias", new long[] {1152});
        m.put("img/pos_embedding", new long[] {1, imageTokens, 1152});
        m.put(b + "LayerNorm_0/scale", new long[] {27, 1152});
        m.put(b + "LayerNorm_0/bias", new long[] {27, 1152});
        for (String n : new String[] {"query", "key", "value"}) {
            m.put(a + n + "/kernel", new long[] {27, 1152, 16, 72});
            m.put(a + n + "/bias", new long[] {27, 16, 72});
        }
        m.put(a + "out/kernel", new long[] {27, 16, 72, 1152});
        m.put(a + "out/bias", new long[] {27, 1152});
        m.put(b + "LayerNorm_1/scale", new long[] {27, 1152});
        m.put(b + "LayerNorm_1/bias", new long[] {27, 1152});
        m.put(b + "MlpBlock_0/Dense_0/kernel", new long[] {27, 1152, 4304});
        m.put(b + "MlpBlock_0/Dense_0/bias", new long[] {27, 4304});
        m.put(b + "MlpBlock_0/Dense_1/kernel", new long[] {27, 4304, 1152});
        m.put(b + "MlpBlock_0/Dense_1/bias", new long[] {27, 1152});
        m.put("img/Transformer/encoder_norm/scale", new long[] {1152});
        m.put("img/Transformer/encoder_norm/bias", new long[] {1152});
        m.put("img/head/kernel", new long[] {1152, 2048});
        m.put("img/head/bias", new long[] {2048});
        m.put("llm/embedder/input_embedding", new long[] {257152, 2048});
        m.put("llm/layers/pre_attention_norm/scale", new long[] {18, 2048});
        m.put("llm/layers/attn/q_einsum/w", new long[] {18, 8, 2048, 256});
        m.put("llm/layers/attn/kv_einsum/w", new long[] {18, 2, 1, 2048, 256});
        m.put("llm/layers/attn/attn_vec_einsum/w", new long[] {18, 8, 256, 2048});
        m.put("llm/layers/pre_ffw_norm/scale", new long[] {18, 2048});
        m.put("llm/layers/mlp/gating_einsum", new long[] {18, 2, 2048, 16384});
        m.put("llm/layers/mlp/linear", new long[] {18, 16384, 2048});
        m.put("llm/final_norm/scale", new long[] {2048});
        return m;
    }

    static long sum(Map<String, long[]> shapes) {
        return shapes.values().stream().mapToLong(Tensor::numElements).sum();
    }

    @Test
    void paligemma3bConfigAndParameterCountFromShapes() {
        Map<String, long[]> shapes = paligemma3b(256);
        PaliGemmaConfig c = PaliGemmaLayout.infer("3b", shapes);
        assertThat(c.vision()).isEqualTo(new SiglipConfig(224, 14, 1152, 27, 4304, 16, 72));
        assertThat(c.llm()).isEqualTo(new GemmaConfig(257152, 2048, 18, 8, 1, 256, 16384));
        assertThat(c.parameterCount()).isEqualTo(2_923_335_408L).isEqualTo(sum(shapes));
        assertThat(PaliGemmaLayout.problems(shapes, c)).isEmpty();
        assertThat(PaliGemmaLayout.expectedShapes(c)).containsOnlyKeys(shapes.keySet());
        assertThat(PaliGemmaLayout.KEYS).containsExactlyElementsOf(shapes.keySet());
    }

    @Test
    void higherResolutionsComeFromThePositionEmbedding() {
        PaliGemmaConfig c448 = PaliGemmaLayout.infer("448", paligemma3b(1024));
        PaliGemmaConfig c896 = PaliGemmaLayout.infer("896", paligemma3b(4096));
        assertThat(c448.vision().resolution()).isEqualTo(448);
        assertThat(c896.vision().resolution()).isEqualTo(896);
        assertThat(c448.parameterCount()).isEqualTo(2_924_220_144L);
        assertThat(c896.parameterCount()).isEqualTo(2_927_759_088L);
    }

    @Test
    void gatingInFDOrderIsReportedAsMisShaped() {
        Map<String, long[]> shapes = paligemma3b(256);
        shapes.put("llm/layers/mlp/gating_einsum", new long[] {18, 2, 16384, 2048});
        PaliGemmaConfig c = PaliGemmaLayout.infer("x", shapes);
        assertThat(c.llm().mlp()).isEqualTo(16384);
        assertThat(PaliGemmaLayout.problems(shapes, c)).containsExactly(
                "llm/layers/mlp/gating_einsum: expected shape [18, 2, 2048, 16384], found [18, 2, 16384, 2048]");
    }

    @Test
    void nonSquareImageTokensCannotBeInferred() {
        Map<String, long[]> shapes = paligemma3b(255);
        assertThatThrownBy(() -> PaliGemmaLayout.infer("f.npz", shapes)).isInstanceOf(CheckpointException.class)
                .hasMessage("f.npz: cannot infer the PaliGemma config: img/pos_embedding: expected a square number "
                        + "(R/patch)² of image tokens, found 255 in shape [1, 255, 1152]");
    }

    @Test
    void tinyCheckpointsInferTheGoldenConfig() {
        JsonNode golden = Fixtures.json("golden.json");
        JsonNode g = golden.get("config");
        for (String f : new String[] {"tiny-f32.npz", "tiny-bf16.npz", "tiny-f16.npz", "tiny-f32-deflated.npz",
                "tiny-f32-zip64-noprefix.npz", "tiny-f32.msgpack", "tiny-bf16-chunked.msgpack"}) {
            try (Checkpoint c = Checkpoint.open(Fixtures.tiny(f))) {
                PaliGemmaWeights w = PaliGemmaWeights.of(c);
                PaliGemmaConfig cfg = w.config();
                assertThat(cfg).isEqualTo(PaliGemmaWeights.infer(c));
                assertThat(cfg.vision()).as(f).isEqualTo(new SiglipConfig(g.get("resolution").asInt(), g.get("patch").asInt(),
                        g.get("vision").get("width").asInt(), g.get("vision").get("depth").asInt(),
                        g.get("vision").get("mlp").asInt(), g.get("vision").get("heads").asInt(),
                        g.get("vision").get("width").asInt() / g.get("vision").get("heads").asInt()));
                JsonNode l = g.get("llm");
                assertThat(cfg.llm()).as(f).isEqualTo(new GemmaConfig(l.get("vocab").asInt(), l.get("width").asInt(),
                        l.get("depth").asInt(), l.get("heads").asInt(), l.get("kv_heads").asInt(),
                        l.get("head_dim").asInt(), l.get("mlp").asInt()));
                assertThat(cfg.parameterCount()).isEqualTo(golden.get("params").asLong())
                        .isEqualTo(c.tensors().values().stream().mapToLong(Tensor::size).sum());
            }
        }
    }

    @Test
    void towersViewTheCheckpointsOwnBytesPerLayer() {
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("tiny-f32.npz"))) {
            PaliGemmaWeights w = PaliGemmaWeights.of(c);
            VitTower v = w.vision();
            assertThat(v.blocks()).hasSize(2);
            Weight query1 = v.blocks().get(1).query();
            MemorySegment slice = c.get(PaliGemmaLayout.QUERY_KERNEL).slice(1).data();
            assertThat(query1.data().address()).isEqualTo(slice.address());         // a view, no copy
            assertThat(query1.rows()).isEqualTo(32);
            assertThat(query1.cols()).isEqualTo(32);
            assertThat(v.blocks().get(0).fc2Bias())
                    .containsExactly(c.get(PaliGemmaLayout.DENSE1_BIAS).slice(0).toFloatArray());
            assertThat(v.head().rows()).isEqualTo(32);
            assertThat(v.head().cols()).isEqualTo(w.config().llm().width());
            DecoderTower llm = w.llm();
            assertThat(llm.blocks().get(1).query()).hasSize(2);
            Weight value0 = llm.blocks().get(1).value()[0];
            assertThat(value0.data().address())
                    .isEqualTo(c.get(PaliGemmaLayout.KV_EINSUM).slice(1).slice(1).slice(0).data().address());
            assertThat(value0.rows()).isEqualTo(32);
            assertThat(value0.cols()).isEqualTo(16);
            assertThat(llm.finalNorm()).containsExactly(c.get(PaliGemmaLayout.FINAL_NORM).toFloatArray());
            assertThat(llm.embedding().rows()).isEqualTo(w.config().llm().vocab());
            assertThat(llm.embedding().type()).isEqualTo(WeightType.F32);
        }
    }
}
