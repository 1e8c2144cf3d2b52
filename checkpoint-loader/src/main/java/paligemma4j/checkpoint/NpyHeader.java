package paligemma4j.checkpoint;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed {@code .npy} header (format versions 1.0, 2.0 and 3.0): magic {@code \x93NUMPY}, version,
 * header length (uint16 for 1.0, uint32 for 2.0/3.0), then a Python dict literal with
 * {@code descr}, {@code fortran_order} and {@code shape}. The data follows at {@link #dataOffset}.
 *
 * @param dtype      element type decoded from {@code descr}
 * @param shape      dimensions
 * @param dataOffset bytes from the start of the member to the first element
 */
record NpyHeader(DType dtype, long[] shape, long dataOffset) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    static final String SUPPORTED = "<f4, <f2, <V2 / |V2 / bfloat16, <i4, |u1, |b1";

    /** Parses the header at the start of {@code member}; {@code where} ("file: key") prefixes every error. */
    static NpyHeader parse(MemorySegment member, String where) {
        long n = member.byteSize();
        if (n < 10 || !Arrays.equals(member.asSlice(0, 6).toArray(ValueLayout.JAVA_BYTE), MAGIC)) {
            byte[] head = member.asSlice(0, Math.min(n, 8)).toArray(ValueLayout.JAVA_BYTE);
            throw new CheckpointException(where + ": not a .npy array: expected magic \\x93NUMPY, found "
                    + printable(head));
        }
        int major = member.get(ValueLayout.JAVA_BYTE, 6);
        long headerLen;
        long start;
        if (major == 1) {
            headerLen = member.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8) & 0xFFFF;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (n < 12) throw new CheckpointException(where + ": .npy header truncated (" + n + " bytes)");
            headerLen = member.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8) & 0xFFFFFFFFL;
            start = 12;
        } else {
            throw new CheckpointException(where + ": .npy format version " + major + "."
                    + member.get(ValueLayout.JAVA_BYTE, 7) + " not supported (expected 1.0, 2.0 or 3.0)");
        }
        if (start + headerLen > n) {
            throw new CheckpointException(where + ": .npy header of " + headerLen + " bytes runs past the member's "
                    + n + " bytes: truncated");
        }
        byte[] raw = member.asSlice(start, headerLen).toArray(ValueLayout.JAVA_BYTE);
        String text = new String(raw, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).strip();
        Map<String, Object> dict = new DictParser(text, where).parseDict();
        Object descr = dict.get("descr");
        Object fortran = dict.get("fortran_order");
        Object shape = dict.get("shape");
        if (descr == null || fortran == null || shape == null) {
            throw new CheckpointException(where + ": .npy header lacks descr, fortran_order or shape: " + text);
        }
        if (!(descr instanceof String d)) {
            throw new CheckpointException(where + ": unsupported dtype " + descr + " (structured); supported: " + SUPPORTED);
        }
        if (Boolean.TRUE.equals(fortran)) {
            throw new CheckpointException(where + ": fortran_order True (column-major) not supported: expected C order (fortran_order False)");
        }
        if (!(shape instanceof long[] dims)) {
            throw new CheckpointException(where + ": .npy shape is not a tuple of integers: " + text);
        }
        return new NpyHeader(dtypeOf(d, where), dims, start + headerLen);
    }

    /** The element type for a numpy {@code descr} string. */
    static DType dtypeOf(String descr, String where) {
        return switch (descr) {
            case "<f4" -> DType.FLOAT32;
            case "<f2" -> DType.FLOAT16;
            case "<V2", "|V2", "bfloat16", "<bfloat16", "|bfloat16" -> DType.BFLOAT16;
            case "<i4" -> DType.INT32;
            case "|u1", "<u1", ">u1" -> DType.UINT8;
            case "|b1", "<b1", ">b1" -> DType.BOOL;
            default -> {
                if (descr.startsWith(">")) {
                    throw new CheckpointException(where + ": big-endian dtype '" + descr
                            + "' not supported: expected little-endian '<" + descr.substring(1) + "'");
                }
                throw new CheckpointException(where + ": unsupported dtype '" + descr + "': expected one of " + SUPPORTED);
            }
        };
    }

    private static String printable(byte[] b) {
        StringBuilder sb = new StringBuilder("'");
        for (byte x : b) {
            int c = x & 0xFF;
            sb.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.append("'").toString();
    }

    /** Just enough of Python's literal syntax for numpy headers: dicts, strings, True/False, int tuples, lists. */
    private static final class DictParser {
        private final String s;
        private final String where;
        private int i;

        DictParser(String s, String where) {
            this.s = s;
            this.where = where;
        }

        Map<String, Object> parseDict() {
            expect('{');
            Map<String, Object> out = new LinkedHashMap<>();
            while (true) {
                skip();
                if (peek() == '}') { i++; break; }
                Object key = value();
                skip();
                expect(':');
                out.put(String.valueOf(key), value());
                skip();
                if (peek() == ',') i++;
            }
            return out;
        }

        private Object value() {
            skip();
            char c = peek();
            if (c == '\'' || c == '"') return string(c);
            if (c == '(' || c == '[') return sequence(c == '(' ? ')' : ']');
            if (s.startsWith("True", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("False", i)) { i += 5; return Boolean.FALSE; }
            if (c == '-' || Character.isDigit(c)) return integer();
            if (c == '{') return parseDict();
            throw bad("unexpected '" + c + "'");
        }

        /** A tuple or list: all integers → long[], otherwise a List (e.g. a structured descr). */
        private Object sequence(char close) {
            i++;
            List<Object> items = new ArrayList<>();
            while (true) {
                skip();
                if (peek() == close) { i++; break; }
                items.add(value());
                skip();
                if (peek() == ',') i++;
            }
            if (items.stream().allMatch(o -> o instanceof Long)) {
                return items.stream().mapToLong(o -> (Long) o).toArray();
            }
            return items;
        }

        private Long integer() {
            int j = i;
            if (peek() == '-') i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            long v;
            try {
                v = Long.parseLong(s.substring(j, i));
            } catch (NumberFormatException e) {
                throw bad("bad integer");
            }
            if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) i++; // Python 2 long
            if (v < 0) throw bad("negative dimension " + v);
            return v;
        }

        private String string(char quote) {
            int j = ++i;
            while (i < s.length() && s.charAt(i) != quote) i++;
            if (i >= s.length()) throw bad("unterminated string");
            return s.substring(j, i++);
        }

        private void expect(char c) {
            skip();
            if (peek() != c) throw bad("expected '" + c + "'");
            i++;
        }

        private char peek() {
            if (i >= s.length()) throw bad("unexpected end");
            return s.charAt(i);
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private CheckpointException bad(String why) {
            return new CheckpointException(where + ": cannot parse .npy header (" + why + " at column " + i + "): " + s);
        }
    }
}
