package tfpeft.data.synthetic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tfpeft.data.image.RgbImage;

/**
 * Reads objects back off rendered pixels, independently of the renderer: a foreground mask against
 * a known plain background, 8-connected blobs, and blob measurements (area, centroid, principal
 * axis, convex hull, colour).
 */
final class PixelAnalysis {
  /** A pixel is foreground when some channel differs from the background by more than this. */
  static final int THRESHOLD = 24;

  private PixelAnalysis() {}

  /** One connected foreground region; pixel indices are y * width + x. */
  record Blob(int width, int[] pixels) {
    int area() {
      return pixels.length;
    }

    double centroidX() {
      return Arrays.stream(pixels).mapToDouble(p -> p % width + 0.5).average().orElseThrow();
    }

    double centroidY() {
      return Arrays.stream(pixels).mapToDouble(p -> p / width + 0.5).average().orElseThrow();
    }

    /** Angle of the principal axis, counter-clockwise from horizontal as seen, in [0, 180). */
    double principalAngleDegrees() {
      double cx = centroidX();
      double cy = centroidY();
      double sxx = 0;
      double syy = 0;
      double sxy = 0;
      for (int p : pixels) {
        double dx = p % width + 0.5 - cx;
        double dy = -(p / width + 0.5 - cy); // y up, so counter-clockwise is positive
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
      }
      double angle = Math.toDegrees(0.5 * Math.atan2(2 * sxy, sxx - syy));
      return (angle + 180) % 180;
    }

    /** Largest distance from the centroid to a pixel's outer corner. */
    double maxRadius() {
      double cx = centroidX();
      double cy = centroidY();
      double best = 0;
      for (int p : pixels) {
        double dx = Math.abs(p % width + 0.5 - cx) + 0.5;
        double dy = Math.abs(p / width + 0.5 - cy) + 0.5;
        best = Math.max(best, Math.hypot(dx, dy));
      }
      return best;
    }

    /** Area of the convex hull of the pixel squares (all four corners of every pixel). */
    double hullArea() {
      List<double[]> points = new ArrayList<>();
      for (int p : pixels) {
        int x = p % width;
        int y = p / width;
        points.add(new double[] {x, y});
        points.add(new double[] {x + 1, y});
        points.add(new double[] {x, y + 1});
        points.add(new double[] {x + 1, y + 1});
      }
      return convexHullArea(points);
    }
  }

  static boolean[] foreground(RgbImage image, int backgroundRgb) {
    int w = image.width();
    boolean[] mask = new boolean[w * image.height()];
    int[] bg = {(backgroundRgb >> 16) & 0xFF, (backgroundRgb >> 8) & 0xFF, backgroundRgb & 0xFF};
    for (int y = 0; y < image.height(); y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          if (Math.abs(image.get(x, y, c) - bg[c]) > THRESHOLD) {
            mask[y * w + x] = true;
          }
        }
      }
    }
    return mask;
  }

  /** 8-connected foreground blobs of at least {@code minArea} pixels, largest first. */
  static List<Blob> blobs(boolean[] mask, int width, int minArea) {
    int height = mask.length / width;
    boolean[] seen = new boolean[mask.length];
    List<Blob> blobs = new ArrayList<>();
    int[] stack = new int[mask.length];
    for (int start = 0; start < mask.length; start++) {
      if (!mask[start] || seen[start]) {
        continue;
      }
      List<Integer> members = new ArrayList<>();
      int top = 0;
      stack[top++] = start;
      seen[start] = true;
      while (top > 0) {
        int p = stack[--top];
        members.add(p);
        int px = p % width;
        int py = p / width;
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int x = px + dx;
            int y = py + dy;
            if (x >= 0 && y >= 0 && x < width && y < height) {
              int q = y * width + x;
              if (mask[q] && !seen[q]) {
                seen[q] = true;
                stack[top++] = q;
              }
            }
          }
        }
      }
      if (members.size() >= minArea) {
        blobs.add(new Blob(width, members.stream().mapToInt(Integer::intValue).toArray()));
      }
    }
    blobs.sort((a, b) -> Integer.compare(b.area(), a.area()));
    return blobs;
  }

  /** Mask pixels whose whole (2r+1)-square neighbourhood is in the mask: the blob interior. */
  static boolean[] erode(boolean[] mask, int width, int r) {
    int height = mask.length / width;
    boolean[] out = new boolean[mask.length];
    for (int y = r; y < height - r; y++) {
      for (int x = r; x < width - r; x++) {
        boolean all = true;
        for (int dy = -r; dy <= r && all; dy++) {
          for (int dx = -r; dx <= r && all; dx++) {
            all = mask[(y + dy) * width + x + dx];
          }
        }
        out[y * width + x] = all;
      }
    }
    return out;
  }

  static int rgbAt(RgbImage image, int pixel) {
    int x = pixel % image.width();
    int y = pixel / image.width();
    return (image.get(x, y, 0) << 16) | (image.get(x, y, 1) << 8) | image.get(x, y, 2);
  }

  private static double convexHullArea(List<double[]> points) {
    points.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
    int n = points.size();
    double[][] hull = new double[2 * n][];
    int k = 0;
    for (int i = 0; i < n; i++) {
      while (k >= 2 && turn(hull[k - 2], hull[k - 1], points.get(i)) <= 0) {
        k--;
      }
      hull[k++] = points.get(i);
    }
    for (int i = n - 2, lower = k + 1; i >= 0; i--) {
      while (k >= lower && turn(hull[k - 2], hull[k - 1], points.get(i)) <= 0) {
        k--;
      }
      hull[k++] = points.get(i);
    }
    double area = 0;
    for (int i = 0; i < k - 1; i++) {
      area += hull[i][0] * hull[i + 1][1] - hull[i + 1][0] * hull[i][1];
    }
    return Math.abs(area) / 2;
  }

  private static double turn(double[] o, double[] a, double[] b) {
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  }
}
