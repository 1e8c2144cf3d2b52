package paligemma4j.model.parity;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import paligemma4j.model.StageObserver;

/** A {@link StageObserver} that keeps a copy of every stage, in the order the forward pass produced them. */
public final class StageRecorder implements StageObserver {

    /** One recorded activation. */
    public record Stage(String name, float[] data, int rows, int cols) {}

    private final Map<String, Stage> stages = new LinkedHashMap<>();

    @Override
    public void stage(String name, float[] data, int rows, int cols) {
        stages.put(name, new Stage(name, Arrays.copyOf(data, rows * cols), rows, cols));
    }

    public Map<String, Stage> stages() {
        return stages;
    }
}
