package paligemma4j.model;

import paligemma4j.checkpoint.Checkpoint;
import paligemma4j.checkpoint.paligemma.PaliGemmaConfig;

/** Where the model gets its configuration: inferred from the checkpoint's shapes and validated there. */
final class ModelConfigs {
    private ModelConfigs() {}

    static PaliGemmaConfig inferAndValidate(Checkpoint ckpt) {
        throw new UnsupportedOperationException("config inference lands with the loader");
    }
}
