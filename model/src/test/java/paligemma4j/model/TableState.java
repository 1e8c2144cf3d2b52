package paligemma4j.model;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

/** A {@link DecodeState} whose logits are a function of the tokens so far: a hand-made "language model". */
final class TableState implements DecodeState {

    private final Function<String, float[]> table;
    private String seq;
    int advances;
    static int forks;

    /** Keys are the token ids so far joined by ','; {@code ""} is the start. Missing keys → {@code fallback}. */
    TableState(Map<String, float[]> rows, float[] fallback) {
        this(s -> rows.getOrDefault(s, fallback), "");
    }

    private TableState(Function<String, float[]> table, String seq) {
        this.table = table;
        this.seq = seq;
    }

    static float[] logits(int vocab, int... tokenValuePairs) {
        float[] l = new float[vocab];
        Arrays.fill(l, -10f);
        for (int i = 0; i < tokenValuePairs.length; i += 2) l[tokenValuePairs[i]] = tokenValuePairs[i + 1];
        return l;
    }

    @Override
    public float[] logits() {
        return table.apply(seq);
    }

    @Override
    public DecodeState advance(int token) {
        seq = seq.isEmpty() ? String.valueOf(token) : seq + "," + token;
        advances++;
        return this;
    }

    @Override
    public DecodeState fork(int token) {
        forks++;
        return new TableState(table, seq).advance(token);
    }
}
