package paligemma4j.eval;

import java.nio.file.Path;
import paligemma4j.eval.mmvp.MmvpMatcher;
import paligemma4j.eval.pope.PopeParser;

/**
 * Options of loading and scoring a benchmark; null fields take the defaults.
 *
 * @param split       POPE random|popular|adversarial (default random); cococap val|test (default val);
 *                    RefCOCO val|testA|testB|test (default val); ignored by MMVP
 * @param dataset     RefCOCO: refcoco|refcoco+|refcocog (default refcoco)
 * @param vae         RefCOCO: VQ-VAE weights (default {@code DIR/vae-oid.npz})
 * @param popeParser  POPE answer rule (default {@link PopeParser#BIG_VISION})
 * @param mmvpMatcher MMVP answer matcher (default {@link MmvpMatcher#DEFAULT})
 */
public record ScoreOptions(String split, String dataset, Path vae, PopeParser popeParser, MmvpMatcher mmvpMatcher) {
    public static final ScoreOptions DEFAULTS = new ScoreOptions(null, null, null, null, null);

    public ScoreOptions withSplit(String s) {
        return new ScoreOptions(s, dataset, vae, popeParser, mmvpMatcher);
    }

    String splitOr(String d) {
        return split == null ? d : split;
    }

    String datasetOr() {
        return dataset == null ? "refcoco" : dataset;
    }

    PopeParser popeParserOr() {
        return popeParser == null ? PopeParser.BIG_VISION : popeParser;
    }

    MmvpMatcher mmvpMatcherOr() {
        return mmvpMatcher == null ? MmvpMatcher.DEFAULT : mmvpMatcher;
    }
}
