package paligemma4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import paligemma4j.model.image.ImagePreprocessor;
import paligemma4j.model.image.RgbImage;
import paligemma4j.model.output.AnswerObject;
import paligemma4j.render.OutputFiles;
import paligemma4j.render.TaskOutput;

/** {@code paligemma render}: draws an answer that already exists (no model is loaded). */
final class RenderCommand implements Command {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String name() {
        return "render";
    }

    public String summary() {
        return "draw an existing detect/segment answer: objects.json, masks, overlay.png";
    }

    public Args.Spec spec() {
        Args.Spec spec = new Args.Spec("--image I --prompt P --answer TEXT --out DIR [--vae FILE] [options]")
                .option("image", "I", "the image the answer is about (JPEG, PNG, BMP, GIF)", null)
                .option("prompt", "P", "the prompt that was answered, e.g. 'detect cat ; dog'", null)
                .option("answer", "TEXT", "the model's answer, e.g. '<loc0100><loc0200><loc0500><loc0600> cat'", null)
                .flag("json", "print the objects.json document on stdout");
        return OutputOptions.add(spec);
    }

    public int run(Args args, PrintStream out, PrintStream err) {
        Path image = args.existingFile("image");
        String prompt = args.require("prompt");
        String answer = args.require("answer");
        OutputOptions outputs = OutputOptions.parse(args);
        if (outputs.out() == null) throw new UsageException("missing --out (see --help)");
        RgbImage rgb = ImagePreprocessor.decodeRgb(image);
        TaskOutput t = TaskOutput.of(rgb, prompt, answer, outputs.convention(), outputs.vae());
        for (String w : t.warnings()) err.println("warning: " + w);
        String imageName = image.getFileName().toString();
        OutputFiles.write(outputs.out(), t, imageName);
        if (args.flag("json")) {
            ObjectNode doc = OutputFiles.document(t, imageName, true);
            out.println(doc.toString());
        } else {
            for (AnswerObject o : t.objects()) {
                out.println((o.label().isEmpty() ? "(no label)" : o.label()) + " [" + o.box().y0() + ", " + o.box().x0()
                        + ", " + o.box().y1() + ", " + o.box().x1() + "]" + (o.seg() != null ? " +mask" : ""));
            }
            if (t.objects().isEmpty()) out.println(answer);
            err.println("wrote " + outputs.out().resolve("objects.json") + ", " + outputs.out().resolve("overlay.png"));
        }
        return 0;
    }
}
