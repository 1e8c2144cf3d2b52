package paligemma4j.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Minimal reader of the protobuf wire format (varint, 64-bit, length-delimited, 32-bit fields),
 * enough to read a SentencePiece {@code ModelProto} without a protobuf dependency.
 * Malformed input raises {@link IllegalArgumentException} with the byte offset.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] buf;
    private int pos;
    private final int end;
    private int fieldNumber;
    private int wireType;

    ProtoReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    private ProtoReader(byte[] buf, int start, int end) {
        this.buf = buf;
        this.pos = start;
        this.end = end;
    }

    /** Advances to the next field; false at the end of the message. */
    boolean next() {
        if (pos >= end) {
            return false;
        }
        long tag = varint();
        fieldNumber = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        if (fieldNumber == 0) {
            throw new IllegalArgumentException("field number 0 at byte " + pos);
        }
        return true;
    }

    int fieldNumber() {
        return fieldNumber;
    }

    int wireType() {
        return wireType;
    }

    long varint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw new IllegalArgumentException("truncated varint at byte " + pos);
            }
            byte b = buf[pos++];
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalArgumentException("varint longer than 10 bytes at byte " + pos);
    }

    boolean bool() {
        expect(VARINT);
        return varint() != 0;
    }

    int int32() {
        expect(VARINT);
        return (int) varint();
    }

    float float32() {
        expect(FIXED32);
        require(4);
        int bits = (buf[pos] & 0xFF) | (buf[pos + 1] & 0xFF) << 8 | (buf[pos + 2] & 0xFF) << 16 | (buf[pos + 3] & 0xFF) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    byte[] bytes() {
        int len = length();
        byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
        pos += len;
        return out;
    }

    String string() {
        int len = length();
        String s = new String(buf, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    /** A reader over the embedded message of the current length-delimited field. */
    ProtoReader message() {
        int len = length();
        ProtoReader sub = new ProtoReader(buf, pos, pos + len);
        pos += len;
        return sub;
    }

    /** Skips the current field's value. */
    void skip() {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> { require(8); pos += 8; }
            case LENGTH_DELIMITED -> {
                int len = length(); // reads the length varint first: `pos += length()` would lose that advance
                pos += len;
            }
            case FIXED32 -> { require(4); pos += 4; }
            default -> throw new IllegalArgumentException(
                    "unsupported wire type " + wireType + " for field " + fieldNumber + " at byte " + pos);
        }
    }

    private int length() {
        expect(LENGTH_DELIMITED);
        long len = varint();
        if (len < 0 || len > end - pos) {
            throw new IllegalArgumentException("length " + len + " of field " + fieldNumber + " runs past the end at byte " + pos);
        }
        return (int) len;
    }

    private void require(int n) {
        if (end - pos < n) {
            throw new IllegalArgumentException("truncated field " + fieldNumber + " at byte " + pos);
        }
    }

    private void expect(int type) {
        if (wireType != type) {
            throw new IllegalArgumentException(
                    "field " + fieldNumber + " has wire type " + wireType + ", expected " + type + " (byte " + pos + ")");
        }
    }
}
