package paligemma4j.render;

import java.awt.image.BufferedImage;
import paligemma4j.model.image.RgbImage;

/** An RGB pixel buffer ({@code 0xRRGGBB} per pixel, row-major) with the few clipped drawing operations the overlay needs. */
final class Canvas {
    final int width, height;
    final int[] rgb;

    Canvas(int width, int height, int background) {
        this.width = width;
        this.height = height;
        this.rgb = new int[width * height];
        java.util.Arrays.fill(rgb, background);
    }

    /** Copies {@code image} to the top-left corner. */
    void paste(RgbImage image) {
        for (int y = 0; y < Math.min(height, image.height()); y++) {
            for (int x = 0; x < Math.min(width, image.width()); x++) {
                rgb[y * width + x] = image.get(y, x, 0) << 16 | image.get(y, x, 1) << 8 | image.get(y, x, 2);
            }
        }
    }

    /** Fills the rectangle [x, x+w) × [y, y+h), clipped to the canvas. */
    void fill(int x, int y, int w, int h, int color) {
        for (int yy = Math.max(0, y); yy < Math.min(height, y + h); yy++) {
            for (int xx = Math.max(0, x); xx < Math.min(width, x + w); xx++) rgb[yy * width + xx] = color;
        }
    }

    /** The outline of the box rows [y0, y1), columns [x0, x1), {@code t} pixels thick, drawn inside the box. */
    void outline(int y0, int x0, int y1, int x1, int t, int color) {
        int tt = Math.min(t, Math.max(1, Math.min(y1 - y0, x1 - x0) / 2));
        fill(x0, y0, x1 - x0, tt, color);
        fill(x0, y1 - tt, x1 - x0, tt, color);
        fill(x0, y0, tt, y1 - y0, color);
        fill(x1 - tt, y0, tt, y1 - y0, color);
    }

    /** Mixes {@code color} into pixel (x, y) with weight {@code alpha}/255, rounding to nearest. */
    void blend(int x, int y, int color, int alpha) {
        int i = y * width + x;
        rgb[i] = mix(rgb[i], color, alpha);
    }

    static int mix(int under, int over, int alpha) {
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int a = under >> shift & 0xFF, b = over >> shift & 0xFF;
            out |= ((a * (255 - alpha) + b * alpha + 127) / 255) << shift;
        }
        return out;
    }

    BufferedImage toImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, width, height, rgb, 0, width);
        return img;
    }
}
