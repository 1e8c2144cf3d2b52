package paligemma4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code serve} under a bounded load on loopback: 200 requests from 16 concurrent clients over both
 * endpoints, streamed and not. Every request is answered, with exactly the tokens and text {@code generate}
 * gives for the same image and prompt, and the heap holds nothing afterwards.
 */
class ServeLoadTest {
    static final int REQUESTS = 200, CLIENTS = 16, MAX_TOKENS = 8;
    static final String[] IMAGES = {GenerateCommandTest.IMG,
        GenerateCommandTest.RES.resolve("image/inputs/checker3_100x100.png").toString()};
    static final String[] PROMPTS = {"caption en", "detect cat", "answer en what is this?"};

    record Expected(String text, JsonNode tokens) {}

    static long heapAfterGc(MemoryMXBean mem) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }

    @Test
    void twoHundredRequestsFromSixteenClientsMatchGenerate() throws Exception {
        Map<String, Expected> expected = new HashMap<>();
        for (String img : IMAGES) {
            for (String p : PROMPTS) {
                var r = GenerateCommandTest.run("generate", "--checkpoint", GenerateCommandTest.CKPT, "--tokenizer",
                        GenerateCommandTest.TOK, "--image", img, "--prompt", p, "--max-tokens", String.valueOf(MAX_TOKENS), "--json");
                assertThat(r.code()).as(r.err()).isZero();
                JsonNode j = ServeFixture.JSON.readTree(r.out());
                expected.put(img + "|" + p, new Expected(j.get("text").asText(), j.get("tokens")));
            }
        }
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        try (ServeFixture f = new ServeFixture(4, 32)) {
            f.post("/v1/chat/completions", ServeFixture.chatBody("caption en", IMAGES[0], 2, false));   // warm up
            long before = heapAfterGc(mem);
            AtomicInteger next = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger answered = new AtomicInteger(), maxWaiting = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                done.add(clients.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < REQUESTS; ) {
                        String img = IMAGES[i % IMAGES.length], prompt = PROMPTS[i / IMAGES.length % PROMPTS.length];
                        Expected want = expected.get(img + "|" + prompt);
                        try {
                            String got = switch (i % 4) {
                                case 0 -> ServeFixture.JSON.readTree(f.post("/v1/chat/completions",
                                        ServeFixture.chatBody(prompt, img, MAX_TOKENS, false)).body())
                                        .get("choices").get(0).get("message").get("content").asText();
                                case 1 -> {
                                    var s = f.streamChat(ServeFixture.chatBody(prompt, img, MAX_TOKENS, true));
                                    if (s.completionTokens() != want.tokens().size()) {
                                        failures.add("request " + i + ": " + s.completionTokens() + " tokens, expected " + want.tokens().size());
                                    }
                                    yield s.text();
                                }
                                default -> {
                                    var body = ServeFixture.JSON.createObjectNode().put("image", ServeFixture.dataUri(img))
                                            .put("prompt", prompt).put("max_tokens", MAX_TOKENS);
                                    JsonNode j = ServeFixture.JSON.readTree(f.post("/v1/paligemma/generate", body.toString()).body());
                                    if (!j.get("tokens").equals(want.tokens())) {
                                        failures.add("request " + i + ": tokens " + j.get("tokens") + ", expected " + want.tokens());
                                    }
                                    yield j.get("text").asText();
                                }
                            };
                            if (!got.equals(want.text())) failures.add("request " + i + ": '" + got + "', expected '" + want.text() + "'");
                            answered.incrementAndGet();
                            JsonNode h = ServeFixture.JSON.readTree(f.get("/health").body());
                            maxWaiting.accumulateAndGet(h.get("waiting").asInt(), Math::max);
                        } catch (Exception e) {
                            failures.add("request " + i + ": " + e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> d : done) d.get();
            clients.shutdown();
            assertThat(failures).isEmpty();
            assertThat(answered.get()).isEqualTo(REQUESTS);
            assertThat(maxWaiting.get()).isLessThanOrEqualTo(32);
            JsonNode h = ServeFixture.JSON.readTree(f.get("/health").body());
            assertThat(h.get("active").asInt()).isZero();
            assertThat(h.get("waiting").asInt()).isZero();
            assertThat(h.get("served").asLong()).isEqualTo(REQUESTS + 1);
            long grown = heapAfterGc(mem) - before;
            assertThat(grown).as("heap growth after 200 requests (bytes)").isLessThan(64L << 20);
        }
    }
}
