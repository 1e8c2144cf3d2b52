package paligemma4j.model.image;

/**
 * The two resize variants big_vision uses for PaliGemma (docs/model.md#image-preprocessing). Both map to
 * {@code tf.image.resize(method="bilinear")}:
 * <ul>
 *   <li>{@link #BILINEAR}: {@code antialias=False}, TF's {@code ResizeBilinear} kernel with
 *       half-pixel centres and no low-pass filter (see {@link BilinearResize});</li>
 *   <li>{@link #BILINEAR_ANTIALIAS}: {@code antialias=True}, TF's {@code ScaleAndTranslate}
 *       kernel with a triangle filter widened by {@code max(in/out, 1)} (see {@link AntialiasResize}).</li>
 * </ul>
 */
public enum Resize {
    BILINEAR,
    BILINEAR_ANTIALIAS;

    /** Parses a CLI spelling: {@code bilinear} or {@code bilinear-antialias}. */
    public static Resize parse(String name) {
        return switch (name) {
            case "bilinear" -> BILINEAR;
            case "bilinear-antialias", "bilinear_antialias" -> BILINEAR_ANTIALIAS;
            default -> throw new IllegalArgumentException(
                    "unknown resize method '" + name + "': expected bilinear or bilinear-antialias");
        };
    }
}
