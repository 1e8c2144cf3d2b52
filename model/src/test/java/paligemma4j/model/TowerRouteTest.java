package paligemma4j.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import paligemma4j.kernels.DecoderTower;
import paligemma4j.kernels.JvmOps;
import paligemma4j.kernels.Ops;
import paligemma4j.kernels.TowerOps;
import paligemma4j.kernels.VitTower;
import paligemma4j.kernels.WeightType;
import paligemma4j.model.tokenizer.Tokenizer;

/**
 * Which route the model takes on a backend that also implements {@link TowerOps}, without TornadoVM:
 * a host stand-in whose towers are the JVM model itself (vision: the JVM encoder's tokens; decoder: a
 * JVM {@link Gemma} with its own {@link KVCache}, the token found back from its embedding). Checks that
 * images and greedy prefixes go to the towers only without an observer, that the decoder gets the prefix
 * rows, a capacity ≥ prefix + extra and the cache precision, is reused and rebuilt as it should, that
 * greedy and beam-search ids equal the JVM backend's (beam steps reach the decoder as one batch of the kept
 * candidates, the caches reordered to their parents), that a beam search needs a prefix made for as many beams, and that weights the
 * towers refuse (Q8_0) keep the whole model per op with one line on stderr per tower.
 */
class TowerRouteTest {

    static final Path RES = Path.of("src/test/resources");
    static final Path CKPT = RES.resolve("tiny/tiny-224.npz");
    static final JvmOps JVM_OPS = new JvmOps(2);
    static final StageObserver PER_OP = (name, data, rows, cols) -> {};

    @AfterAll
    static void shutdown() {
        JVM_OPS.close();
    }

    /** Calls and builds seen by the stand-in. */
    static final class HostTowers implements TowerOps {
        final PaliGemma reference;
        final boolean takesQ8;
        int visionBuilds, visionForwards, prefills, decodes, closed;
        final List<Integer> stepRows = new ArrayList<>();
        final List<String> decoderBuilds = new ArrayList<>();
        float[] lastPatches;

        HostTowers(PaliGemma reference, boolean takesQ8) {
            this.reference = reference;
            this.takesQ8 = takesQ8;
        }

        @Override
        public boolean supports(WeightType type) {
            return takesQ8 || type != WeightType.Q8_0;
        }

        @Override
        public Vision vision(VitTower tower) {
            visionBuilds++;
            return new Vision() {
                public float[] forward(float[] patches) {
                    visionForwards++;
                    lastPatches = patches;
                    return zimg;
                }

                public void close() {
                    closed++;
                }
            };
        }

        float[] zimg;   // what the vision stand-in returns

        @Override
        public Decoder decoder(DecoderTower tower, int capacity, int beams, boolean bf16Cache) {
            decoderBuilds.add(capacity + (bf16Cache ? " bf16" : " f32") + (beams > 1 ? " ×" + beams : ""));
            Gemma gemma = reference.gemma();
            KVCache.Precision precision = bf16Cache ? KVCache.Precision.BF16 : KVCache.Precision.F32;
            KVCache[] caches = new KVCache[beams];
            for (int b = 0; b < beams; b++) caches[b] = gemma.newCache(capacity, precision);
            return new Decoder() {
                int length;

                public float[] prefill(float[] prefix, int rows) {
                    prefills++;
                    length = rows;
                    return gemma.prefill(prefix.clone(), rows, rows, caches[0], StageObserver.NONE);
                }

                public float[] decode(float[] embedding) {
                    float[][] out = {new float[gemma.config().vocab()]};
                    step(new int[] {0}, 1, embedding, out);
                    return out[0];
                }

                public void step(int[] parents, int n, float[] embeddings, float[][] logits) {
                    decodes++;
                    stepRows.add(n);
                    KVCache[] reordered = new KVCache[n];
                    for (int i = 0; i < n; i++) {
                        reordered[i] = gemma.newCache(capacity, precision);
                        reordered[i].copyFrom(caches[parents[i]], length);
                    }
                    int d = gemma.config().width();
                    for (int i = 0; i < n; i++) {
                        caches[i] = reordered[i];
                        float[] row = Arrays.copyOfRange(embeddings, i * d, (i + 1) * d);
                        int token = -1;
                        for (int t = 0; t < gemma.config().vocab() && token < 0; t++) {
                            if (Arrays.equals(gemma.embed(new int[] {t}), row)) token = t;
                        }
                        System.arraycopy(gemma.decodeStep(token, length, caches[i]), 0, logits[i], 0, gemma.config().vocab());
                    }
                    length++;
                }

                public int beams() {
                    return beams;
                }

                public int length() {
                    return length;
                }

                public int capacity() {
                    return capacity;
                }

                public void close() {
                    closed++;
                }
            };
        }
    }

    /** An {@link Ops} that is also the stand-in {@link TowerOps}: ops go to the JVM backend. */
    static Ops backend(HostTowers towers) {
        return (Ops) Proxy.newProxyInstance(Ops.class.getClassLoader(), new Class<?>[] {Ops.class, TowerOps.class},
                (proxy, m, args) -> {
                    try {
                        return m.getDeclaringClass() == TowerOps.class ? m.invoke(towers, args) : m.invoke(JVM_OPS, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void greedyWithoutObserverRunsTheTowersAndGivesTheJvmTokens() throws Exception {
        Tokenizer tok = Tokenizer.load(RES.resolve("tokenizer/tiny.model"));
        try (PaliGemma jvm = PaliGemma.load(CKPT, JVM_OPS)) {
            HostTowers towers = new HostTowers(jvm, true);
            int r = jvm.config().vision().resolution();
            float[] pixels = TransformersParityTest.hashImage(0, r);
            float[] zimg = jvm.encodeImage(pixels, StageObserver.NONE);
            towers.zimg = zimg;
            int[] ids = tok.prefixTokens("caption en");
            int rows = zimg.length / jvm.config().llm().width() + ids.length, extra = 8;
            try (PaliGemma model = PaliGemma.load(CKPT, backend(towers))) {
                assertThat(model.encodeImage(pixels, PER_OP)).containsExactly(zimg);
                assertThat(towers.visionForwards).as("observed: per op").isZero();
                assertThat(model.encodeImage(pixels, StageObserver.NONE)).isSameAs(zimg);
                model.encodeImage(pixels, StageObserver.NONE);
                assertThat(towers.visionBuilds).as("one tower for every image").isEqualTo(1);
                assertThat(towers.visionForwards).isEqualTo(2);
                assertThat(towers.lastPatches).containsExactly(SiglipEncoder.patchify(pixels, r, jvm.config().vision().patch()));

                Prefix host = model.prefill(zimg, ids, extra, KVCache.Precision.F32, StageObserver.NONE);
                assertThat(host.device()).isNull();
                assertThat(towers.prefills).as("prefill(): host cache, per op").isZero();

                for (KVCache.Precision p : KVCache.Precision.values()) {
                    int[] expected = jvm.decode(jvm.prefill(zimg, ids, extra, p, StageObserver.NONE), 1, extra, tok.eosId());
                    Prefix prefix = model.prefillGreedy(zimg, ids, extra, p);
                    assertThat(prefix.device()).isNotNull();
                    assertThat(prefix.length()).isEqualTo(rows);
                    assertThat(model.decode(prefix, 1, extra, tok.eosId())).as("%s greedy ids", p).containsExactly(expected);
                    assertThat(towers.decodes).isPositive();
                }
                model.prefillGreedy(zimg, ids, 1, KVCache.Precision.F32);                  // fits: reused
                Prefix big = model.prefillGreedy(zimg, ids, 200, KVCache.Precision.F32);   // outgrows it: rebuilt
                // capacities rounded up to 64 positions: 265 + 8 → 320, 265 + 200 → 512
                assertThat(towers.decoderBuilds).containsExactly("320 bf16", "320 f32", "512 f32");
                assertThat(towers.closed).as("replaced decoders closed").isEqualTo(2);
                assertThatThrownBy(() -> model.decode(big, 2, extra, tok.eosId()))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("beam search (2 beams) needs a prefix made for that many");

                // beam search: one cache per hypothesis on the device, each step one batch of the kept candidates
                for (int beams : new int[] {2, 3}) {
                    int[] expected = jvm.decode(jvm.prefill(zimg, ids, extra, KVCache.Precision.F32, StageObserver.NONE),
                            beams, extra, tok.eosId());
                    towers.stepRows.clear();
                    Prefix prefix = model.prefillFor(zimg, ids, extra, KVCache.Precision.F32, beams);
                    assertThat(prefix.device().beams()).isEqualTo(beams);
                    assertThat(model.decode(prefix, beams, extra, tok.eosId())).as("beam %d ids", beams)
                            .containsExactly(expected);
                    assertThat(towers.stepRows).as("beam %d: every step a batch of %d", beams, beams).isNotEmpty()
                            .containsOnly(beams);
                }
                assertThat(towers.decoderBuilds).containsExactly("320 bf16", "320 f32", "512 f32", "320 f32 ×2",
                        "320 f32 ×3");
                // a greedy decode reuses the decoder with room for more hypotheses
                model.decode(model.prefillGreedy(zimg, ids, extra, KVCache.Precision.F32), 1, extra, tok.eosId());
                assertThat(towers.decoderBuilds).hasSize(5);
                assertThat(towers.stepRows).contains(1);
            }
            assertThat(towers.closed).as("model.close() closes its towers").isEqualTo(6);
        }
    }

    @Test
    void weightsTheTowersRefuseKeepTheModelPerOp() throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PaliGemma jvm = PaliGemma.load(CKPT, JVM_OPS)) {
            HostTowers towers = new HostTowers(jvm, false);
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try (PaliGemma model = PaliGemma.load(CKPT, backend(towers), WeightConversions.to(WeightType.Q8_0))) {
                System.setErr(err);
                float[] pixels = TransformersParityTest.hashImage(0, jvm.config().vision().resolution());
                float[] zimg = model.encodeImage(pixels, StageObserver.NONE);
                model.decode(model.prefillGreedy(zimg, new int[] {2}, 2, KVCache.Precision.BF16), 1, 2, 1);
            } finally {
                System.setErr(err);
            }
            assertThat(towers.visionBuilds + towers.decoderBuilds.size()).as("towers built").isZero();
            assertThat(captured.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                    "vision tower: the backend's whole-tower route takes no [Q8_0] weights; running it op by op",
                    "decoder: the backend's whole-tower route takes no [Q8_0] weights; running it op by op");
        }
    }
}
