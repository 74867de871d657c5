package tfpeft.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import tfpeft.config.proto.TransformConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.Batch;
import tfpeft.data.InputPipeline;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.data.image.BitmapFont;
import tfpeft.data.image.ImageEncoder;
import tfpeft.data.image.RgbImage;

/**
 * A grid of preprocessed images, undoing the normalization so they can be looked at, each tile
 * labelled with its class name underneath. Small images (32 px for the shipped backbones) are
 * enlarged by pixel repetition to at least {@value #MIN_TILE} px, so that neither the image nor
 * its label is too small to read.
 */
final class PreviewGrid {
  static final int MIN_TILE = 96;
  static final int GAP = 4;
  /** Room under each tile for two lines of text at twice the font's size. */
  static final int LABEL_HEIGHT = 2 * BitmapFont.LINE_HEIGHT * 2 + 4;
  private static final int[] INK = {20, 20, 20};

  private PreviewGrid() {}

  static void write(Split split, Preprocess p, TransformConfig t, int count, long seed,
      List<String> classNames, Path out) {
    int n = Math.min(count, split.size());
    var opts = new InputPipeline.Options(n, false, true, 0, 1, seed);
    float[][] ms = tfpeft.data.Transforms.meanStd(t);
    try (InputPipeline pipeline = new InputPipeline(split, p, opts, BadExamples.strict())) {
      Iterator<Batch> it = pipeline.epoch(0);
      ImageEncoder.writePng(grid(it.next(), ms[0], ms[1], classNames), out);
    }
  }

  /** The labelled grid of a batch of normalized images. */
  static RgbImage grid(Batch b, float[] mean, float[] std, List<String> classNames) {
    int n = b.size();
    int cols = (int) Math.ceil(Math.sqrt(n));
    int rows = (n + cols - 1) / cols;
    int s = b.height();
    int zoom = Math.max(1, (MIN_TILE + s - 1) / s);
    int tile = s * zoom;
    int cellW = tile + GAP;
    int cellH = tile + LABEL_HEIGHT + GAP;
    RgbImage grid = RgbImage.blank(cols * cellW + GAP, rows * cellH + GAP);
    for (int y = 0; y < grid.height(); y++) {
      for (int x = 0; x < grid.width(); x++) {
        for (int c = 0; c < 3; c++) {
          grid.set(x, y, c, 255);
        }
      }
    }
    for (int k = 0; k < n; k++) {
      int ox = GAP + (k % cols) * cellW;
      int oy = GAP + (k / cols) * cellH;
      for (int y = 0; y < tile; y++) {
        for (int x = 0; x < tile; x++) {
          int src = k * s * s * 3 + ((y / zoom) * s + x / zoom) * 3;
          for (int c = 0; c < 3; c++) {
            float v = b.images()[src + c] * std[c] + mean[c];
            grid.set(ox + x, oy + y, c, Math.max(0, Math.min(255, Math.round(v * 255))));
          }
        }
      }
      int label = b.labels()[k];
      String name = label >= 0 && label < classNames.size() ? classNames.get(label)
          : "class " + label;
      label(grid, name, ox, oy + tile + 2, tile);
    }
    return grid;
  }

  /**
   * Draws {@code name} under a tile: at twice the font's size when it fits in two lines, else at
   * its own size in up to four, cut with '~' when even that is too short.
   */
  static void label(RgbImage grid, String name, int x, int y, int width) {
    int scale = 2;
    List<String> lines = wrap(name, width / (BitmapFont.ADVANCE * scale), 2);
    if (lines == null) {
      scale = 1;
      lines = wrap(name, width / BitmapFont.ADVANCE, 4);
      if (lines == null) {
        lines = cut(name, width / BitmapFont.ADVANCE, 4);
      }
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int lx = x + (width - BitmapFont.width(line, scale)) / 2;
      BitmapFont.draw(grid, line, lx, y + i * BitmapFont.LINE_HEIGHT * scale, scale, INK);
    }
  }

  /** {@code text} broken at spaces into lines of at most {@code perLine}; null if it needs more. */
  static List<String> wrap(String text, int perLine, int maxLines) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.strip().split("\\s+")) {
      if (word.length() > perLine) {
        return null;
      }
      if (line.length() > 0 && line.length() + 1 + word.length() > perLine) {
        lines.add(line.toString());
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(word);
    }
    lines.add(line.toString());
    return lines.size() <= maxLines ? lines : null;
  }

  /** {@code text} cut into lines of {@code perLine} characters, the last ending in '~'. */
  static List<String> cut(String text, int perLine, int maxLines) {
    List<String> lines = new ArrayList<>();
    String rest = text.strip();
    while (!rest.isEmpty() && lines.size() < maxLines) {
      int end = Math.min(perLine, rest.length());
      lines.add(rest.substring(0, end));
      rest = rest.substring(end).strip();
    }
    if (!rest.isEmpty()) {
      String last = lines.remove(lines.size() - 1);
      lines.add(last.substring(0, last.length() - 1) + "~");
    }
    return lines;
  }
}
