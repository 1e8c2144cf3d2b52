package paligemma4j.eval.refcoco;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.Unpickler;
import paligemma4j.eval.EvalException;

/**
 * Reads {@code refs(unc).p} / {@code refs(umd).p}, Python-2 pickles (a list of dicts) written by the
 * refer toolkit, with the razorvine pickle library. Python-2 byte strings arrive as Java strings of
 * their bytes (they are ASCII in the real files; Python 3's default ASCII decoding would reject
 * anything else too); Python-2 unicode strings as ordinary strings.
 */
public final class ReferPickle {
    private ReferPickle() {}

    public static List<Ref> load(Path file) {
        if (!Files.isRegularFile(file)) throw new EvalException(file + ": refer pickle not found");
        Object root;
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            root = new Unpickler().load(in);
        } catch (IOException | RuntimeException e) {
            throw new EvalException(file + ": cannot unpickle: " + e.getMessage(), e);
        }
        if (!(root instanceof List<?> list)) {
            throw new EvalException(file + ": expected a pickled list of refs, got " + typeName(root));
        }
        List<Ref> refs = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            String where = file + " refs[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) throw new EvalException(where + ": not a dict");
            List<Ref.Sentence> sentences = new ArrayList<>();
            Object ss = m.get("sentences");
            if (!(ss instanceof List<?> sl)) throw new EvalException(where + ": \"sentences\" must be a list");
            for (Object so : sl) {
                if (!(so instanceof Map<?, ?> sm)) throw new EvalException(where + ": a sentence is not a dict");
                sentences.add(new Ref.Sentence(num(sm, "sent_id", where), str(sm, "sent", where),
                        sm.containsKey("raw") ? str(sm, "raw", where) : null));
            }
            refs.add(new Ref(num(m, "ref_id", where), num(m, "ann_id", where), num(m, "image_id", where),
                    str(m, "split", where), m.containsKey("category_id") ? num(m, "category_id", where) : -1,
                    List.copyOf(sentences)));
        }
        return refs;
    }

    private static long num(Map<?, ?> m, String key, String where) {
        Object v = m.get(key);
        if (v instanceof Number n) return n.longValue();
        throw new EvalException(where + ": \"" + key + "\" must be an integer, got " + typeName(v));
    }

    private static String str(Map<?, ?> m, String key, String where) {
        Object v = m.get(key);
        if (v instanceof String s) return s;
        if (v instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        throw new EvalException(where + ": \"" + key + "\" must be a string, got " + typeName(v));
    }

    private static String typeName(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }
}
