package paligemma4j.render;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import paligemma4j.model.output.AnswerObject;
import paligemma4j.model.output.PixelBox;

/**
 * Draws a {@link TaskOutput}: the image, each mask blended in its label's colour ({@link #MASK_ALPHA}/255),
 * each box as an outline with its label on a colour tag, and below the image a legend strip naming every
 * label with its colour (or the answer text when there are no objects). Pure pixel arithmetic with the
 * built-in {@link BitmapFont}: the same input gives the same pixels on every machine.
 */
public final class Overlay {
    /** Mask opacity out of 255. */
    public static final int MASK_ALPHA = 110;
    static final int LEGEND_BACKGROUND = 0xFFFFFF;

    private Overlay() {}

    /** Font scale and line thickness grow with the image so that labels stay readable. */
    static int scale(int height, int width) {
        return Math.max(1, Math.min(height, width) / 320);
    }

    static int thickness(int height, int width) {
        return Math.max(2, Math.min(height, width) / 160);
    }

    /** The colour index of each object: one per distinct label, in order of first appearance. */
    static Map<String, Integer> labelColors(List<AnswerObject> objects) {
        Map<String, Integer> colors = new LinkedHashMap<>();
        for (AnswerObject o : objects) colors.putIfAbsent(o.label(), colors.size());
        return colors;
    }

    public static BufferedImage render(TaskOutput out) {
        int h = out.image().height(), w = out.image().width();
        int s = scale(h, w), t = thickness(h, w);
        List<AnswerObject> objects = out.objects();
        Map<String, Integer> colors = labelColors(objects);
        List<String> legend = legendLines(out, colors, w, s);
        int lineH = (BitmapFont.HEIGHT + 4) * s;
        Canvas c = new Canvas(w, h + legend.size() * lineH + 2 * s, LEGEND_BACKGROUND);
        c.paste(out.image());
        for (int i = 0; i < objects.size(); i++) {
            boolean[] m = out.masks().get(i);
            if (m == null) continue;
            int color = Palette.color(colors.get(objects.get(i).label()));
            for (int p = 0; p < m.length; p++) if (m[p]) c.blend(p % w, p / w, color, MASK_ALPHA);
        }
        for (AnswerObject o : objects) {
            if (!o.drawable()) continue;
            PixelBox b = o.box();
            int color = Palette.color(colors.get(o.label()));
            c.outline(b.y0(), b.x0(), Math.min(b.y1(), h), Math.min(b.x1(), w), t, color);
        }
        for (AnswerObject o : objects) {   // tags last, so no box is drawn over a label
            if (!o.drawable() || o.label().isEmpty()) continue;
            PixelBox b = o.box();
            int color = Palette.color(colors.get(o.label()));
            String text = fit(o.label(), w, s);
            int tagW = BitmapFont.width(text, s) + 2 * s, tagH = BitmapFont.HEIGHT * s;
            int ty = b.y0() >= tagH ? b.y0() - tagH : b.y0();          // above the box when there is room
            int tx = Math.max(0, Math.min(b.x0(), w - tagW));
            c.fill(tx, ty, tagW, tagH, color);
            BitmapFont.draw(c, text, tx + s, ty, s, Palette.textOn(color));
        }
        int y = h + s;
        int i = 0;
        for (String line : legend) {
            int x = s;
            if (i < colors.size()) {
                int color = Palette.color(i);
                c.fill(x, y + 2 * s, BitmapFont.HEIGHT * s - 4 * s, BitmapFont.HEIGHT * s - 4 * s, color);
                x += BitmapFont.HEIGHT * s;
            }
            BitmapFont.draw(c, line, x, y + 2 * s, s, 0x000000);
            y += lineH;
            i++;
        }
        return c.toImage();
    }

    /** One legend line per label (with its count when above one), or the answer text and warnings when there is no object. */
    static List<String> legendLines(TaskOutput out, Map<String, Integer> colors, int width, int s) {
        List<String> lines = new ArrayList<>();
        for (String label : colors.keySet()) {
            long n = out.objects().stream().filter(o -> o.label().equals(label)).count();
            String name = label.isEmpty() ? "(no label)" : label;
            lines.add(fit(n > 1 ? name + " x" + n : name, width - BitmapFont.HEIGHT * s, s));
        }
        if (colors.isEmpty()) lines.add(fit("no objects: " + out.answer().text(), width, s));
        return lines;
    }

    /** {@code text} cut with "..." to fit {@code width} pixels at scale {@code s}. */
    static String fit(String text, int width, int s) {
        int max = Math.max(1, (width - 2 * s) / (BitmapFont.WIDTH * s));
        return text.length() <= max ? text : text.substring(0, Math.max(0, max - 3)) + "...";
    }
}
