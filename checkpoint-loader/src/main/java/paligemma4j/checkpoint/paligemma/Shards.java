package paligemma4j.checkpoint.paligemma;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How transformers' {@code save_pretrained(max_shard_size=…)} splits a model into safetensors files: tensors in
 * order, a new file when the next one would take the current file past the limit, a tensor bigger than the limit
 * alone in its own file; files named {@code model-00001-of-00003.safetensors}, listed by
 * {@code model.safetensors.index.json}. One file is plain {@code model.safetensors} with no index.
 */
final class Shards {
    private Shards() {}

    static final String SINGLE = "model.safetensors", INDEX = "model.safetensors.index.json";

    /** transformers' default {@code max_shard_size}, "5GB". */
    static final long DEFAULT_MAX_BYTES = 5_000_000_000L;

    /** The shard of each tensor, given the tensors' byte sizes in order. */
    static int[] plan(long[] bytes, long maxBytes) {
        int[] shard = new int[bytes.length];
        int current = 0;
        long used = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (used > 0 && (bytes[i] > maxBytes || used + bytes[i] > maxBytes)) {
                current++;
                used = 0;
            }
            shard[i] = current;
            used += bytes[i];
        }
        return shard;
    }

    /** The file name of shard {@code i} (0-based) of {@code n}. */
    static String fileName(int i, int n) {
        return n == 1 ? SINGLE : String.format("model-%05d-of-%05d.safetensors", i + 1, n);
    }

    /** The index: the tensors' total bytes and each tensor's file, names sorted as transformers writes them. */
    static String index(long totalBytes, Map<String, String> fileOf) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.putObject("metadata").put("total_size", totalBytes);
        ObjectNode map = root.putObject("weight_map");
        new TreeMap<>(fileOf).forEach(map::put);
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shard count of a plan. */
    static int count(int[] plan) {
        return plan.length == 0 ? 1 : plan[plan.length - 1] + 1;
    }

    /** Indices of the tensors in each shard, in order. */
    static List<List<Integer>> groups(int[] plan) {
        List<List<Integer>> out = new ArrayList<>();
        for (int s = 0; s < count(plan); s++) out.add(new ArrayList<>());
        for (int i = 0; i < plan.length; i++) out.get(plan[i]).add(i);
        return out;
    }
}
