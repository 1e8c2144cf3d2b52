package paligemma4j.model.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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

    /** Ids at or above this are refused: the arrays indexed by id are allocated up to the largest one. */
    static final int MAX_ID = 1 << 24;

    /** The file's JSON without model.vocab and model.merges, which are streamed into compact forms. */
    private record Parsed(ObjectNode root, Map<String, Integer> vocab, List<String[]> merges) {
    }

    private static Parsed parse(ObjectMapper mapper, byte[] bytes) throws IOException {
        try (JsonParser p = mapper.getFactory().createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            ObjectNode root = mapper.createObjectNode();
            Map<String, Integer> vocab = null;
            List<String[]> merges = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (!name.equals("model") || t != JsonToken.START_OBJECT) {
                    root.set(name, mapper.readTree(p));
                    continue;
                }
                ObjectNode model = root.putObject("model");
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken v = p.nextToken();
                    if (field.equals("vocab") && v == JsonToken.START_OBJECT) {
                        vocab = new HashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String piece = p.currentName();
                            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getIntValue() < 0 || p.getIntValue() >= MAX_ID) {
                                throw new IllegalArgumentException("model.vocab[\"" + piece + "\"] is not an id in [0, " + MAX_ID + ")");
                            }
                            vocab.put(piece, p.getIntValue());
                        }
                    } else if (field.equals("merges") && v == JsonToken.START_ARRAY) {
                        merges = new ArrayList<>();
                        for (JsonToken m; (m = p.nextToken()) != JsonToken.END_ARRAY; ) {
                            merges.add(merge(p, m, merges.size()));
                        }
                    } else {
                        model.set(field, mapper.readTree(p));
                    }
                }
            }
            return new Parsed(root, vocab, merges == null ? List.of() : merges);
        }
    }

    /** One merge rule, {@code ["a", "b"]} or the older {@code "a b"}. */
    private static String[] merge(JsonParser p, JsonToken m, int rank) throws IOException {
        if (m == JsonToken.START_ARRAY) {
            String[] pair = new String[2];
            int k = 0;
            for (JsonToken e; (e = p.nextToken()) != JsonToken.END_ARRAY; ) {
                if (e != JsonToken.VALUE_STRING || k == 2) {
                    throw new IllegalArgumentException("model.merges[" + rank + "] is not a pair of strings");
                }
                pair[k++] = p.getText();
            }
            if (k == 2) {
                return pair;
            }
        } else if (m == JsonToken.VALUE_STRING && p.getText().indexOf(' ') > 0) {
            String s = p.getText();
            int sp = s.indexOf(' ');
            return new String[] {s.substring(0, sp), s.substring(sp + 1)};
        }
        throw new IllegalArgumentException("model.merges[" + rank + "] is neither [a, b] nor \"a b\"");
    }

    static Tokenizer read(Path file, byte[] bytes) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Parsed parsed = parse(mapper, bytes);
        ObjectNode root = parsed.root();
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

        Map<String, Integer> vocab = parsed.vocab();
        if (vocab == null || vocab.isEmpty()) {
            throw new IllegalArgumentException("model.vocab is missing or empty");
        }
        int size = 0;
        for (int id : vocab.values()) {
            size = Math.max(size, id + 1);
        }
        JsonNode added = root.path("added_tokens");
        for (JsonNode t : added) {
            if (t.path("id").asLong(-1) >= MAX_ID) {
                throw new IllegalArgumentException("added_tokens id " + t.path("id") + " is not below " + MAX_ID);
            }
            size = Math.max(size, t.path("id").asInt(-1) + 1);
        }
        // arrays are indexed by id: a few gaps are fine, an id far beyond the pieces defined is a broken file
        long defined = (long) vocab.size() + added.size();
        if (size > 2 * defined + 1024) {
            throw new IllegalArgumentException("ids run up to " + (size - 1) + " but the file defines only " + defined + " pieces");
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

        MergeTable merges = mergeTable(parsed.merges(), vocab);
        HfBpeEncoder.Options options = new HfBpeEncoder.Options(unkId, model.path("byte_fallback").asBoolean(false),
                model.path("fuse_unk").asBoolean(false), model.path("ignore_merges").asBoolean(false));
        HfBpeEncoder encoder = new HfBpeEncoder(vocab, merges, options, new HfBpeEncoder.AddedTokens(rawAdded, normalizedAdded),
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
        return new Tokenizer(file, vocabulary, encoder, decoder, new Tokenizer.SpecialIds(bos, eos, pad, unkId));
    }

    private static MergeTable mergeTable(List<String[]> merges, Map<String, Integer> vocab) {
        MergeTable table = new MergeTable(Math.max(16, merges.size()));
        for (int rank = 0; rank < merges.size(); rank++) {
            String a = merges.get(rank)[0];
            String b = merges.get(rank)[1];
            Integer ia = vocab.get(a);
            Integer ib = vocab.get(b);
            Integer merged = vocab.get(a + b);
            if (ia == null || ib == null || merged == null) {
                throw new IllegalArgumentException("model.merges[" + rank + "] (" + a + " + " + b + ") uses a piece missing from model.vocab");
            }
            table.put(ia, ib, rank, merged);
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
