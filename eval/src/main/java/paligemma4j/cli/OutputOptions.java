package paligemma4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import paligemma4j.model.output.VqVaeDecoder;
import paligemma4j.model.image.RgbImage;
import paligemma4j.model.output.BoxConvention;
import paligemma4j.render.OutputFiles;
import paligemma4j.render.TaskOutput;

/**
 * {@code --vae --out --box-convention}: how detection / segmentation answers become objects and files
 * (shared by {@code generate} and {@code render}; see docs/outputs.md).
 */
record OutputOptions(VqVaeDecoder vae, Path out, BoxConvention convention) {

    static Args.Spec add(Args.Spec spec) {
        return spec
                .option("vae", "FILE", "VQ-VAE mask decoder (big_vision's vae-oid.npz) to turn <seg> tokens into masks", null)
                .option("out", "DIR", "write objects.json, mask_N.png per mask and overlay.png into DIR", null)
                .option("box-convention", "big_vision|demo", "loc bins to pixels: int(k/1023·side) or round(k/1024·side)", "big_vision");
    }

    static OutputOptions parse(Args args) {
        BoxConvention c = args.choice("box-convention", "big_vision", "demo").equals("demo")
                ? BoxConvention.DEMO : BoxConvention.BIG_VISION;
        VqVaeDecoder vae = args.has("vae") ? VqVaeDecoder.load(args.existingFile("vae")) : null;
        return new OutputOptions(vae, args.has("out") ? Path.of(args.get("out")) : null, c);
    }

    /**
     * Reads {@code text} as task output: adds {@code objects} (and {@code warnings}) to {@code json}, writes
     * the files into {@code dir} when it is not null, and prints each warning to {@code err}.
     */
    TaskOutput apply(ObjectNode json, RgbImage image, String imageName, String prompt, String text, Path dir,
                     PrintStream err) {
        TaskOutput t = TaskOutput.of(image, prompt, text, convention, vae);
        json.set("objects", OutputFiles.objects(t, dir != null));
        if (!t.warnings().isEmpty()) {
            var w = json.putArray("warnings");
            t.warnings().forEach(w::add);
        }
        for (String w : t.warnings()) err.println("warning: " + w);
        if (dir != null) OutputFiles.write(dir, t, imageName);
        return t;
    }
}
