package paligemma4j.eval.io;

import java.util.List;
import java.util.stream.Collectors;

/** Lists of example ids in one-line messages. */
public final class Ids {
    /** How many ids a message lists before "...". */
    public static final int FEW = 5;

    private Ids() {}

    /** {@code "1, 2, 3, 4, 5, ..."}: the first {@link #FEW} ids, then "..." if there are more. */
    public static String firstFew(List<Long> ids) {
        String head = ids.stream().limit(FEW).map(String::valueOf).collect(Collectors.joining(", "));
        return ids.size() > FEW ? head + ", ..." : head;
    }
}
