package tfpeft.cli;

import java.nio.file.Path;
import java.util.Iterator;
import tfpeft.config.proto.TransformConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.Batch;
import tfpeft.data.InputPipeline;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.data.image.ImageEncoder;
import tfpeft.data.image.RgbImage;

/** A grid of preprocessed images, undoing the normalization so they can be looked at. */
final class PreviewGrid {
  private PreviewGrid() {}

  static void write(Split split, Preprocess p, TransformConfig t, int count, long seed,
      Path out) {
    int n = Math.min(count, split.size());
    int cols = (int) Math.ceil(Math.sqrt(n));
    int rows = (n + cols - 1) / cols;
    int s = p.height();
    int gap = 2;
    RgbImage grid = RgbImage.blank(cols * (s + gap) + gap, rows * (s + gap) + gap);
    var opts = new InputPipeline.Options(n, false, true, 0, 1, seed);
    float[][] ms = tfpeft.data.Transforms.meanStd(t);
    float[] mean = ms[0];
    float[] std = ms[1];
    try (InputPipeline pipeline = new InputPipeline(split, p, opts, BadExamples.strict())) {
      Iterator<Batch> it = pipeline.epoch(0);
      Batch b = it.next();
      for (int k = 0; k < b.size(); k++) {
        int ox = gap + (k % cols) * (s + gap);
        int oy = gap + (k / cols) * (s + gap);
        for (int y = 0; y < s; y++) {
          for (int x = 0; x < s; x++) {
            for (int c = 0; c < 3; c++) {
              float v = b.images()[k * s * s * 3 + (y * s + x) * 3 + c] * std[c] + mean[c];
              grid.set(ox + x, oy + y, c, Math.max(0, Math.min(255, Math.round(v * 255))));
            }
          }
        }
      }
    }
    ImageEncoder.writePng(grid, out);
  }
}
