package paligemma4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import paligemma4j.model.Sampling;

/** The decoding fields shared by both generation endpoints, checked with the field named on error. */
final class Params {
    private Params() {}

    static double number(JsonNode body, String field, double dflt) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isNumber()) throw HttpError.bad(field, field + " must be a number, got " + v);
        return v.asDouble();
    }

    static int integer(JsonNode body, String field, int dflt) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return dflt;
        if (!v.isIntegralNumber() || !v.canConvertToInt()) throw HttpError.bad(field, field + " must be an integer, got " + v);
        return v.asInt();
    }

    static boolean flag(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw HttpError.bad(field, field + " must be true or false, got " + v);
        return v.asBoolean();
    }

    /** {@code max_tokens} (or {@code max_completion_tokens}), at least 1. */
    static int maxTokens(JsonNode body, int dflt) {
        int m = integer(body, "max_tokens", integer(body, "max_completion_tokens", dflt));
        if (m < 1) throw HttpError.bad("max_tokens", "max_tokens must be ≥ 1, got " + m);
        return m;
    }

    /** {@code temperature} (default 0: greedy, as generate), {@code top_p}, {@code top_k}, {@code seed}. */
    static Sampling sampling(JsonNode body) {
        double t = number(body, "temperature", 0);
        double p = number(body, "top_p", 1);
        int k = integer(body, "top_k", 0);
        JsonNode s = body.get("seed");
        long seed;
        if (s == null || s.isNull()) {
            seed = new java.security.SecureRandom().nextLong();
        } else if (s.isIntegralNumber() && s.canConvertToLong()) {
            seed = s.asLong();
        } else {
            throw HttpError.bad("seed", "seed must be an integer, got " + s);
        }
        if (!(t >= 0) || Double.isInfinite(t)) throw HttpError.bad("temperature", "temperature must be ≥ 0, got " + t);
        if (!(p > 0 && p <= 1)) throw HttpError.bad("top_p", "top_p must be in (0, 1], got " + p);
        if (k < 0) throw HttpError.bad("top_k", "top_k must be ≥ 0, got " + k);
        return new Sampling(t, p, k, seed);
    }
}
