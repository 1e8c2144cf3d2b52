package paligemma4j.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import paligemma4j.model.output.AnswerObject;
import paligemma4j.model.output.PixelBox;

/**
 * The JSON form of a {@link TaskOutput} and the files of {@code --out DIR}: {@code objects.json}, one
 * {@code mask_N.png} per object with a mask (white = object, the original image's size) and
 * {@code overlay.png}. The formats are described in docs/outputs.md.
 */
public final class OutputFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutputFiles() {}

    /** The {@code box_convention} value written for {@code c}. */
    public static String conventionName(paligemma4j.model.output.BoxConvention c) {
        return c.name().toLowerCase(Locale.ROOT);
    }

    /** {@code objects}: label, box (pixels), loc (bins), seg codes and mask (COCO RLE) when present. */
    public static ArrayNode objects(TaskOutput out, boolean maskFiles) {
        ArrayNode arr = JSON.createArrayNode();
        for (int i = 0; i < out.objects().size(); i++) {
            AnswerObject o = out.objects().get(i);
            ObjectNode j = arr.addObject();
            j.put("label", o.label());
            PixelBox b = o.box();
            j.putArray("box").add(b.y0()).add(b.x0()).add(b.y1()).add(b.x1());
            j.putArray("loc").add(o.bins().y0()).add(o.bins().x0()).add(o.bins().y1()).add(o.bins().x1());
            if (o.seg() != null) {
                ArrayNode seg = j.putArray("seg");
                for (int code : o.seg()) seg.add(code);
            }
            boolean[] m = out.masks().get(i);
            if (m != null) {
                ObjectNode mask = j.putObject("mask");
                mask.putArray("size").add(out.image().height()).add(out.image().width());
                mask.put("counts", CocoRle.encode(m, out.image().height(), out.image().width()));
                if (maskFiles) j.put("mask_file", maskFile(i));
            }
        }
        return arr;
    }

    /** The whole {@code objects.json} document. */
    public static ObjectNode document(TaskOutput out, String imageName, boolean maskFiles) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("image", imageName);
        doc.put("width", out.image().width());
        doc.put("height", out.image().height());
        doc.put("prompt", out.prompt());
        doc.put("text", out.answer().text());
        doc.put("box_convention", conventionName(out.convention()));
        doc.set("objects", objects(out, maskFiles));
        ArrayNode w = doc.putArray("warnings");
        out.warnings().forEach(w::add);
        return doc;
    }

    static String maskFile(int index) {
        return "mask_" + index + ".png";
    }

    /** Writes objects.json, the mask PNGs and overlay.png into {@code dir} (created if needed). */
    public static void write(Path dir, TaskOutput out, String imageName) {
        try {
            Files.createDirectories(dir);
            int h = out.image().height(), w = out.image().width();
            for (int i = 0; i < out.masks().size(); i++) {
                boolean[] m = out.masks().get(i);
                if (m == null) continue;
                BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
                for (int p = 0; p < m.length; p++) px[p] = (byte) (m[p] ? 255 : 0);
                ImageIO.write(img, "png", dir.resolve(maskFile(i)).toFile());
            }
            ImageIO.write(Overlay.render(out), "png", dir.resolve("overlay.png").toFile());
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("objects.json").toFile(),
                    document(out, imageName, true));
        } catch (IOException e) {
            throw new UncheckedIOException("--out " + dir + ": cannot write (" + e.getMessage() + ")", e);
        }
    }
}
