package paligemma4j.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import paligemma4j.checkpoint.paligemma.GemmaSettings;
import paligemma4j.eval.Benchmark;
import paligemma4j.eval.shard.Shard;

/**
 * Everything that decides a run's predictions, stored as the {@code "config"} object of
 * {@code RUN_DIR/run.json}; a {@code --resume} must ask for the same values. Files are compared by
 * name and size (not path) so a run can be resumed after moving the checkpoint or the data.
 *
 * @param benchmark       the benchmark
 * @param split           POPE random|popular|adversarial, cococap val|test, RefCOCO val|testA|testB|test; null for MMVP
 * @param dataset         RefCOCO refcoco|refcoco+|refcocog; null otherwise
 * @param data            the data directory (informational)
 * @param checkpoint      the checkpoint file
 * @param checkpointBytes its size
 * @param tokenizer       the tokenizer file
 * @param tokenizerBytes  its size
 * @param protocol        prompt, decoding, resize and cache settings
 * @param limit           the first {@code limit} examples only; 0 = all
 * @param decoder         the decoder settings in force (soft-caps, query scale, sliding window); null = not recorded
 * @param shard           {@code --shard K/N}: only that shard of the (limited) examples; null = all
 */
public record RunConfig(Benchmark benchmark, String split, String dataset, Path data, Path checkpoint,
                        long checkpointBytes, Path tokenizer, long tokenizerBytes, Protocol protocol, int limit,
                        GemmaSettings decoder, Shard shard) {

    /** An unsharded run whose decoder settings are not recorded. */
    public RunConfig(Benchmark benchmark, String split, String dataset, Path data, Path checkpoint,
                     long checkpointBytes, Path tokenizer, long tokenizerBytes, Protocol protocol, int limit) {
        this(benchmark, split, dataset, data, checkpoint, checkpointBytes, tokenizer, tokenizerBytes, protocol, limit, null,
                null);
    }

    /** The same settings for shard {@code s} (null: unsharded). */
    public RunConfig withShard(Shard s) {
        return new RunConfig(benchmark, split, dataset, data, checkpoint, checkpointBytes, tokenizer, tokenizerBytes,
                protocol, limit, decoder, s);
    }

    /** The compared fields, in report order. */
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("benchmark", benchmark.cliName);
        o.put("split", split);
        o.put("dataset", dataset);
        o.put("prompt_template", protocol.promptTemplate());
        o.put("text_len", protocol.textLen());
        o.put("decoding", protocol.decoding());
        o.put("beam", protocol.beam());
        o.put("max_tokens", protocol.maxTokens());
        o.put("resize", protocol.resizeName());
        o.put("kv_cache", protocol.kvCacheName());
        o.put("limit", limit);
        o.put("checkpoint", checkpoint.getFileName().toString());
        o.put("checkpoint_bytes", checkpointBytes);
        o.put("tokenizer", tokenizer.getFileName().toString());
        o.put("tokenizer_bytes", tokenizerBytes);
        if (decoder != null) {
            o.put("final_logit_softcap", decoder.finalLogitSoftCap());
            o.put("attn_logit_softcap", decoder.attnLogitSoftCap());
            o.put("query_scale", decoder.queryScale().option);
            o.put("sliding_window", decoder.slidingWindow());
        }
        if (shard != null) o.put("shard", shard.label());
        return o;
    }

    /**
     * Null if {@code stored} (a run.json {@code "config"}) asks for the same run; else one line naming
     * the first key that differs, stored vs requested.
     */
    public String differenceFrom(JsonNode stored) {
        ObjectNode mine = toJson();
        for (Iterator<Map.Entry<String, JsonNode>> it = mine.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode old = stored.get(e.getKey());
            if (old == null || !old.toString().equals(e.getValue().toString())) { // IntNode vs LongNode: compare text
                return "the run was started with " + e.getKey() + "=" + (old == null ? "(absent)" : old)
                        + " but this command asks for " + e.getKey() + "=" + e.getValue();
            }
        }
        for (Iterator<String> it = stored.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!mine.has(k)) {
                return "the run was started with " + k + "=" + stored.get(k) + " but this command asks for " + k + "=(absent)";
            }
        }
        return null;
    }
}
