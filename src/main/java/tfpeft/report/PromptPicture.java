package tfpeft.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prompt tuning (CoOp, VPT, MuDPT): each learned prompt tensor as a grid of its tokens per layer
 * (a prompt is [depth, tokens, width]: tokens prepended at each of depth layers), and MuDPT's
 * Injection Model (MuDPT Sec. 3.3) with its form and size.
 */
final class PromptPicture implements MethodPicture {
  private static final double CELL = 14;
  private static final int MAX_DRAWN = 48;

  @Override
  public boolean draw(RunRecord run, Page page) {
    JsonObject s = run.methodSummary;
    if (s == null || !s.has("prompts") || !s.get("prompts").isJsonObject()) {
      return false;
    }
    List<String> names = new ArrayList<>();
    List<long[]> shapes = new ArrayList<>();
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : s.getAsJsonObject("prompts").entrySet()) {
      if (!e.getValue().isJsonArray()) {
        continue;
      }
      JsonArray a = e.getValue().getAsJsonArray();
      long[] shape = new long[a.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = a.get(i).getAsLong();
      }
      names.add(e.getKey());
      shapes.add(shape);
      rows.add(new String[] {e.getKey(), java.util.Arrays.toString(shape)});
    }
    if (names.isEmpty()) {
      return false;
    }
    page.figure("prompts.svg", svg(names, shapes), "Each learned prompt: a square per token at"
        + " each layer it enters (depth down, tokens across); the width is each token's size.");
    page.table(new String[] {"prompt", "shape [depth, tokens, width]"}, rows);
    if (s.has("injection")) {
      page.element("p", "Injection Model: " + RunRecord.text(s, "injection") + ", "
          + String.format(java.util.Locale.ROOT, "%,.0f",
              RunRecord.number(s, "injection_parameters")) + " parameters.");
    }
    return true;
  }

  private static Svg svg(List<String> names, List<long[]> shapes) {
    double y = 34;
    double w = 360;
    List<double[]> at = new ArrayList<>();
    for (long[] shape : shapes) {
      long depth = shape.length >= 3 ? shape[0] : 1;
      long tokens = shape.length >= 2 ? shape[shape.length - 2] : 1;
      at.add(new double[] {y, Math.min(depth, MAX_DRAWN), Math.min(tokens, MAX_DRAWN)});
      w = Math.max(w, 24 + CELL * Math.min(tokens, MAX_DRAWN) + 200);
      y += 22 + CELL * Math.min(depth, MAX_DRAWN) + 14;
    }
    Svg svg = new Svg(w, y, "Prompt shapes");
    svg.text(16, 20, "Prompt shapes", 15, "start");
    for (int k = 0; k < names.size(); k++) {
      long[] shape = shapes.get(k);
      double[] a = at.get(k);
      long width = shape[shape.length - 1];
      svg.text(16, a[0] + 12, names.get(k) + "  " + java.util.Arrays.toString(shape)
          + ", width " + width, 11, "start");
      String colour = Svg.PALETTE[k % Svg.PALETTE.length];
      for (int d = 0; d < a[1]; d++) {
        for (int t = 0; t < a[2]; t++) {
          svg.rect(16 + t * CELL, a[0] + 18 + d * CELL, CELL - 2, CELL - 2, colour,
              names.get(k) + ": layer " + d + ", token " + t);
        }
      }
    }
    return svg;
  }
}
