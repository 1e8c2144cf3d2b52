package paligemma4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dpaligemma4j.lockWeights=true}: the mapping is locked on a background thread, reading it is
 * unchanged, and closing waits for the lock call. Whether mlock succeeds depends on the machine's
 * limits, so the test accepts either outcome but requires a reason when it fails.
 */
class MemoryLockTest {

    @Test
    void lockReportsSuccessOrAReason() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(4096, 4096);
            String error = MemoryLock.lock(page);
            if (error != null) {
                assertThat(error).startsWith("mlock");
            }
        }
    }

    @Test
    void lockedCheckpointReadsTheSameAndCloses() {
        Map<String, Float> plain = new java.util.HashMap<>();
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("tiny-f32.npz"))) {
            c.tensors().forEach((k, t) -> plain.put(k, t.getFloat(t.size() - 1)));
        }
        String before = System.getProperty(MemoryLock.PROPERTY);
        System.setProperty(MemoryLock.PROPERTY, "true");
        try {
            Checkpoint c = Checkpoint.open(Fixtures.tiny("tiny-f32.npz"));
            try (c) {
                assertThat(c.tensors()).hasSize(plain.size());
                c.tensors().forEach((k, t) -> assertThat(t.getFloat(t.size() - 1)).as(k).isEqualTo(plain.get(k)));
            }
            assertThat(c.tensors().values().iterator().next().data().scope().isAlive()).isFalse();
        } finally {
            if (before == null) System.clearProperty(MemoryLock.PROPERTY);
            else System.setProperty(MemoryLock.PROPERTY, before);
        }
    }

    @Test
    void releasedTensorsStillReadTheSameWithAndWithoutTheLock() {
        Map<String, float[]> plain = new java.util.HashMap<>();
        try (Checkpoint c = Checkpoint.open(Fixtures.tiny("tiny-bf16.npz"))) {
            c.tensors().forEach((k, t) -> plain.put(k, values(t)));
        }
        String before = System.getProperty(MemoryLock.PROPERTY);
        try {
            for (String lock : new String[] {"false", "true"}) {
                System.setProperty(MemoryLock.PROPERTY, lock);
                try (Checkpoint c = Checkpoint.open(Fixtures.tiny("tiny-bf16.npz"))) {
                    c.tensors().values().forEach(t -> c.release(t.data()));
                    c.release(MemorySegment.ofArray(new byte[8192]));          // not in the mapping: nothing
                    c.tensors().forEach((k, t) -> assertThat(values(t)).as("%s, lock %s", k, lock).containsExactly(plain.get(k)));
                }
            }
        } finally {
            if (before == null) System.clearProperty(MemoryLock.PROPERTY);
            else System.setProperty(MemoryLock.PROPERTY, before);
        }
    }

    private static float[] values(Tensor t) {
        float[] v = new float[(int) Math.min(t.size(), 4096)];
        for (int i = 0; i < v.length; i++) v[i] = t.getFloat(i);
        return v;
    }
}
