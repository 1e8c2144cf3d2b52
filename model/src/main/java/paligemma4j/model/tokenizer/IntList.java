package paligemma4j.model.tokenizer;

import java.util.Arrays;

/** Growable int array for token ids. */
final class IntList {
    private int[] data = new int[16];
    private int size;

    void add(int v) {
        if (size == data.length) {
            data = Arrays.copyOf(data, size * 2);
        }
        data[size++] = v;
    }

    int size() {
        return size;
    }

    int last() {
        return data[size - 1];
    }

    int[] toArray() {
        return Arrays.copyOf(data, size);
    }
}
