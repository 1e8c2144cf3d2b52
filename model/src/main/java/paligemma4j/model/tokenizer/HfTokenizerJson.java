package paligemma4j.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads a Hugging Face {@code tokenizer.json} with a {@code BPE} model. Supported: normalizers
 * {@code Replace} (literal), {@code Prepend}, {@code Sequence}, none; pre-tokenizers {@code Split} (literal,
 * not inverted), {@code Sequence}, none; decoders {@code Replace}, {@code ByteFallback}, {@code Fuse},
 * {@code Strip}, {@code Sequence}, none. Anything else is refused with the JSON path that names it.
 * Special ids: {@code bos_token}/{@code eos_token}/{@code pad_token} of a {@code tokenizer_config.json} next
 * to the file if there is one, else the special added tokens spelled {@code <bos>}/{@code <s>},
 * {@code <eos>}/{@code </s>}, {@code <pad>}; unk is the model's {@code unk_token}.
 */
final class HfTokenizerJson {
    private HfTokenizerJson() {
    }

    static Tokenizer read(Path file, byte[] bytes) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode root = mapper.readTree(bytes);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText(null))) {
            throw new IllegalArgumentException("model.type is " + model.path("type") + ", expected \"BPE\"");
        }
        for (String key : new String[] {"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!model.path(key).isNull() && !model.path(key).isMissingNode() && !model.path(key).asText().isEmpty()) {
                throw new IllegalArgumentException("model." + key + " is not supported");
            }
        }
        if (!model.path("dropout").isNull() && !model.path("dropout").isMissingNode()) {
            throw new IllegalArgumentException("model.dropout is not supported (encoding would be random)");
        }

        Map<String, Integer> vocab = new HashMap<>();
        int size = 0;
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isObject() || vocabNode.isEmpty()) {
            throw new IllegalArgumentException("model.vocab is missing or empty");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt(-1);
            if (id < 0) {
                throw new IllegalArgumentException("model.vocab[\"" + e.getKey() + "\"] is not a non-negative id");
            }
            vocab.put(e.getKey(), id);
            size = Math.max(size, id + 1);
        }
        JsonNode added = root.path("added_tokens");
        for (JsonNode t : added) {
            size = Math.max(size, t.path("id").asInt(-1) + 1);
        }
        String[] pieces = new String[size];
        PieceType[] types = new PieceType[size];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            pieces[e.getValue()] = e.getKey();
            types[e.getValue()] = Vocabulary.byteValue(e.getKey()) >= 0 ? PieceType.BYTE : PieceType.NORMAL;
        }
        String unkToken = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
        int unkId = unkToken == null ? -1 : vocab.getOrDefault(unkToken, -1);
        if (unkId >= 0) {
            types[unkId] = PieceType.UNKNOWN;
        }

        boolean[] specialAdded = new boolean[size];
        PrefixMatcher rawAdded = new PrefixMatcher();
        PrefixMatcher normalizedAdded = new PrefixMatcher();
        int i = 0;
        for (JsonNode t : added) {
            String content = t.path("content").asText("");
            int id = t.path("id").asInt(-1);
            if (content.isEmpty() || id < 0) {
                throw new IllegalArgumentException("added_tokens[" + i + "] needs a content and an id");
            }
            for (String flag : new String[] {"single_word", "lstrip", "rstrip"}) {
                if (t.path(flag).asBoolean(false)) {
                    throw new IllegalArgumentException("added_tokens[" + i + "] (" + content + ") sets " + flag + ", which is not supported");
                }
            }
            boolean special = t.path("special").asBoolean(false);
            specialAdded[id] = special;
            (t.path("normalized").asBoolean(!special) ? normalizedAdded : rawAdded).add(content, id);
            pieces[id] = content;
            types[id] = special ? PieceType.CONTROL : (id == unkId ? PieceType.UNKNOWN : PieceType.USER_DEFINED);
            i++;
        }
        if (unkId >= 0) {
            types[unkId] = PieceType.UNKNOWN;
        }
        for (int id = 0; id < size; id++) {
            if (types[id] == null) {
                types[id] = PieceType.UNUSED; // hole in the id range
            }
        }

        MergeTable merges = readMerges(model.path("merges"), vocab);
        HfBpeEncoder encoder = new HfBpeEncoder(vocab, merges, unkId,
                model.path("byte_fallback").asBoolean(false), model.path("fuse_unk").asBoolean(false),
                model.path("ignore_merges").asBoolean(false), rawAdded, normalizedAdded,
                normalizer(root.path("normalizer"), "normalizer"), preTokenizer(root.path("pre_tokenizer"), "pre_tokenizer"));
        Vocabulary vocabulary = new Vocabulary(pieces, new float[size], types);
        HfDecoder decoder = new HfDecoder(vocabulary, specialAdded, decoder(root.path("decoder"), "decoder"));

        Map<String, String> configured = specialTokensFromConfig(file, mapper);
        int bos = special(vocabulary, configured.get("bos_token"), "<bos>", "<s>");
        int eos = special(vocabulary, configured.get("eos_token"), "<eos>", "</s>");
        int pad = special(vocabulary, configured.get("pad_token"), "<pad>", null);
        if (unkId < 0 && configured.containsKey("unk_token")) {
            unkId = vocabulary.idOf(configured.get("unk_token"));
        }
        return new Tokenizer(file, vocabulary, encoder, decoder, bos, eos, pad, unkId);
    }

    private static MergeTable readMerges(JsonNode merges, Map<String, Integer> vocab) {
        MergeTable table = new MergeTable(Math.max(16, merges.size()));
        int rank = 0;
        for (JsonNode m : merges) {
            String a;
            String b;
            if (m.isArray() && m.size() == 2) {
                a = m.get(0).asText();
                b = m.get(1).asText();
            } else if (m.isTextual() && m.asText().indexOf(' ') > 0) {
                String s = m.asText();
                int sp = s.indexOf(' ');
                a = s.substring(0, sp);
                b = s.substring(sp + 1);
            } else {
                throw new IllegalArgumentException("model.merges[" + rank + "] is neither [a, b] nor \"a b\"");
            }
            Integer ia = vocab.get(a);
            Integer ib = vocab.get(b);
            Integer merged = vocab.get(a + b);
            if (ia == null || ib == null || merged == null) {
                throw new IllegalArgumentException("model.merges[" + rank + "] (" + a + " + " + b + ") uses a piece missing from model.vocab");
            }
            table.put(ia, ib, rank, merged);
            rank++;
        }
        return table;
    }

    private static UnaryOperator<String> normalizer(JsonNode n, String path) {
        if (n.isMissingNode() || n.isNull()) {
            return UnaryOperator.identity();
        }
        String type = n.path("type").asText("");
        switch (type) {
            case "Replace" -> {
                String pattern = literalPattern(n, path);
                String content = n.path("content").asText();
                return s -> s.replace(pattern, content);
            }
            case "Prepend" -> {
                String prepend = n.path("prepend").asText();
                return s -> s.isEmpty() ? s : prepend + s;
            }
            case "Sequence" -> {
                List<UnaryOperator<String>> steps = new ArrayList<>();
                int k = 0;
                for (JsonNode c : n.path("normalizers")) {
                    steps.add(normalizer(c, path + ".normalizers[" + k++ + "]"));
                }
                return s -> {
                    for (UnaryOperator<String> step : steps) {
                        s = step.apply(s);
                    }
                    return s;
                };
            }
            default -> throw new IllegalArgumentException(path + ".type " + type + " is not supported");
        }
    }

    private static HfBpeEncoder.PreTokenizer preTokenizer(JsonNode n, String path) {
        if (n.isMissingNode() || n.isNull()) {
            return s -> s.isEmpty() ? List.of() : List.of(s);
        }
        String type = n.path("type").asText("");
        switch (type) {
            case "Split" -> {
                if (n.path("invert").asBoolean(false)) {
                    throw new IllegalArgumentException(path + ".invert=true is not supported");
                }
                return HfBpeEncoder.split(literalPattern(n, path), n.path("behavior").asText());
            }
            case "Sequence" -> {
                List<HfBpeEncoder.PreTokenizer> steps = new ArrayList<>();
                int k = 0;
                for (JsonNode c : n.path("pretokenizers")) {
                    steps.add(preTokenizer(c, path + ".pretokenizers[" + k++ + "]"));
                }
                return s -> {
                    List<String> words = List.of(s);
                    for (HfBpeEncoder.PreTokenizer step : steps) {
                        List<String> nextWords = new ArrayList<>();
                        for (String w : words) {
                            nextWords.addAll(step.split(w));
                        }
                        words = nextWords;
                    }
                    return words;
                };
            }
            default -> throw new IllegalArgumentException(path + ".type " + type + " is not supported");
        }
    }

    private static List<UnaryOperator<List<String>>> decoder(JsonNode n, String path) {
        if (n.isMissingNode() || n.isNull()) {
            return null;
        }
        String type = n.path("type").asText("");
        return switch (type) {
            case "Replace" -> List.of(HfDecoder.replace(literalPattern(n, path), n.path("content").asText()));
            case "ByteFallback" -> List.of(HfDecoder.byteFallback());
            case "Fuse" -> List.of(HfDecoder.fuse());
            case "Strip" -> {
                String content = n.path("content").asText(" ");
                if (content.length() != 1) {
                    throw new IllegalArgumentException(path + ".content must be one character");
                }
                yield List.of(HfDecoder.strip(content.charAt(0), n.path("start").asInt(0), n.path("stop").asInt(0)));
            }
            case "Sequence" -> {
                List<UnaryOperator<List<String>>> steps = new ArrayList<>();
                int k = 0;
                for (JsonNode c : n.path("decoders")) {
                    steps.addAll(decoder(c, path + ".decoders[" + k++ + "]"));
                }
                yield steps;
            }
            default -> throw new IllegalArgumentException(path + ".type " + type + " is not supported");
        };
    }

    private static String literalPattern(JsonNode n, String path) {
        JsonNode p = n.path("pattern");
        if (!p.path("String").isTextual()) {
            throw new IllegalArgumentException(path + ".pattern must be {\"String\": ...} (regex patterns are not supported)");
        }
        return p.path("String").asText();
    }

    private static Map<String, String> specialTokensFromConfig(Path file, ObjectMapper mapper) throws IOException {
        Map<String, String> out = new HashMap<>();
        Path config = file.toAbsolutePath().resolveSibling("tokenizer_config.json");
        if (!Files.isRegularFile(config)) {
            return out;
        }
        JsonNode root = mapper.readTree(config.toFile());
        for (String key : new String[] {"bos_token", "eos_token", "pad_token", "unk_token"}) {
            JsonNode v = root.path(key);
            if (v.isTextual()) {
                out.put(key, v.asText());
            } else if (v.path("content").isTextual()) {
                out.put(key, v.path("content").asText());
            }
        }
        return out;
    }

    private static int special(Vocabulary vocab, String configured, String name, String altName) {
        if (configured != null) {
            return vocab.idOf(configured);
        }
        int id = vocab.idOf(name);
        if (id < 0 && altName != null) {
            id = vocab.idOf(altName);
        }
        return id >= 0 && vocab.type(id) == PieceType.CONTROL ? id : -1;
    }
}
