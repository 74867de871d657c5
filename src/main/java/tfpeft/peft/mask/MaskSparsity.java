package tfpeft.peft.mask;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How much of the masked weights the binary masks remove: the share of weights zeroed per site,
 * per layer (a transformer block of one tower, or a stand-alone site such as the patch
 * embedding) and in total. R-AMT reports 2.56% zeroed on average over its 11 datasets.
 */
public final class MaskSparsity {
  /** Weights zeroed out of weights masked. */
  public record Count(String name, long zeroed, long total) {
    public double share() {
      return total == 0 ? 0 : zeroed / (double) total;
    }

    Count plus(long z, long t) {
      return new Count(name, zeroed + z, total + t);
    }

    public String format() {
      return String.format(Locale.ROOT, "%s %.4f%% (%d of %d)", name, 100 * share(), zeroed,
          total);
    }
  }

  private final List<Count> sites;
  private final List<Count> layers;
  private final Count total;

  private MaskSparsity(List<Count> sites, List<Count> layers, Count total) {
    this.sites = sites;
    this.layers = layers;
    this.total = total;
  }

  /** Statistics of real-valued masks by site, binarized at {@code threshold}. */
  public static MaskSparsity ofMasks(Map<String, float[]> masks, float threshold) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    masks.forEach((site, m) -> counts.put(site, new long[] {zeroed(m, threshold), m.length}));
    return of(counts);
  }

  /** How many of {@code mask}'s weights the binary mask 1[M > threshold] zeroes. */
  public static long zeroed(float[] mask, float threshold) {
    long z = 0;
    for (float v : mask) {
      if (!(v > threshold)) {
        z++;
      }
    }
    return z;
  }

  /** Statistics of bit-packed masks by site: {site: bits} and {site: number of weights}. */
  public static MaskSparsity ofBits(Map<String, byte[]> bits, Map<String, Long> sizes) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    bits.forEach((site, b) -> {
      long n = sizes.get(site);
      counts.put(site, new long[] {MaskBits.zeros(b, n), n});
    });
    return of(counts);
  }

  /** From {site: [zeroed, total]}, in the map's order. */
  public static MaskSparsity of(Map<String, long[]> counts) {
    List<Count> sites = new ArrayList<>();
    Map<String, Count> layers = new LinkedHashMap<>();
    Count total = new Count("total", 0, 0);
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      long z = e.getValue()[0];
      long t = e.getValue()[1];
      sites.add(new Count(e.getKey(), z, t));
      layers.merge(layer(e.getKey()), new Count(layer(e.getKey()), z, t),
          (a, b) -> a.plus(b.zeroed(), b.total()));
      total = total.plus(z, t);
    }
    return new MaskSparsity(List.copyOf(sites), List.copyOf(layers.values()), total);
  }

  /** The layer of a site: "block3/attn/q" -> "block3", "text/block0/mlp/fc1" -> "text/block0". */
  public static String layer(String site) {
    String[] parts = site.split("/");
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].startsWith("block")) {
        return String.join("/", java.util.Arrays.copyOfRange(parts, 0, i + 1));
      }
    }
    return site;
  }

  public List<Count> sites() {
    return sites;
  }

  public List<Count> layers() {
    return layers;
  }

  public Count total() {
    return total;
  }

  /** One line per layer, then the total. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    for (Count c : layers) {
      out.add(c.format());
    }
    out.add(total.format());
    return out;
  }
}
