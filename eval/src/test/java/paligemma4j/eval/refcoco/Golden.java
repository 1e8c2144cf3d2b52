package paligemma4j.eval.refcoco;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/** Decoders for the golden files' base64 payloads (numpy packbits masks, little-endian float32). */
final class Golden {
    private Golden() {}

    /** np.packbits of a row-major bool array (big bit order), n values. */
    static boolean[] bits(String b64, int n) {
        byte[] b = Base64.getDecoder().decode(b64);
        boolean[] m = new boolean[n];
        for (int i = 0; i < n; i++) m[i] = ((b[i >> 3] >> (7 - (i & 7))) & 1) != 0;
        return m;
    }

    static float[] floats(String b64) {
        return floats(Base64.getDecoder().decode(b64));
    }

    static float[] floats(byte[] raw) {
        ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[raw.length / 4];
        bb.asFloatBuffer().get(f);
        return f;
    }

    static int count(boolean[] m) {
        int c = 0;
        for (boolean v : m) if (v) c++;
        return c;
    }
}
