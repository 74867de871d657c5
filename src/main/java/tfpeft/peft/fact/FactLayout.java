package tfpeft.peft.fact;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ModelConfig;
import tfpeft.peft.SitePatterns;
import tfpeft.peft.SiteSurvey;

/**
 * The tensorized view of a backbone that FacT factorizes (Jie and Deng, Sec. 3.2, Fig. 2): every
 * vision block's q, k, v, output, fc1 and fc2 weights cut into width x width slices, so that the
 * increments of all of them form one tensor of 12L slices on a ViT with MLP ratio 4. A Linear
 * site of {@code in = rows x d} inputs and {@code out = cols x d} outputs holds rows x cols
 * slices; its slice (i, o) maps input chunk i to output chunk o and is position
 * {@code offset + i * cols + o} of the tensor. Positions run in build order (q, k, v, out, fc1,
 * fc2 of block 0, then block 1...), the official code's order of the Tucker position factor's
 * columns.
 */
public final class FactLayout {
  /** The sites the official code adapts: attention's q, k, v and proj, the MLP's fc1 and fc2. */
  public static final SitePatterns TARGETS = SitePatterns.of("block*/attn/q", "block*/attn/k",
      "block*/attn/v", "block*/attn/out", "block*/mlp/fc1", "block*/mlp/fc2");

  /** One adapted Linear site: its slice grid and the tensor position of its first slice. */
  public record Site(String name, int rows, int cols, int offset) {
    public int slices() {
      return rows * cols;
    }
  }

  private final long width;
  private final Map<String, Site> sites;
  private final int positions;

  private FactLayout(long width, Map<String, Site> sites, int positions) {
    this.width = width;
    this.sites = sites;
    this.positions = positions;
  }

  /** The layout of {@code model}'s sites, found by building it once in a scratch graph. */
  public static FactLayout of(ModelConfig model) {
    return of(SiteSurvey.of(model));
  }

  static FactLayout of(List<SiteSurvey.Site> survey) {
    List<SiteSurvey.Site> matched = new ArrayList<>();
    for (SiteSurvey.Site s : survey) {
      if (s.kind().equals("linear") && TARGETS.matches(s.name())) {
        matched.add(s);
      }
    }
    if (matched.isEmpty()) {
      throw TfpeftException.usage("method.fact: the model has no vision block Linear site"
          + " (block*/attn/q ... block*/mlp/fc2) to factorize");
    }
    long d = matched.get(0).in();
    Map<String, Site> sites = new LinkedHashMap<>();
    int offset = 0;
    for (SiteSurvey.Site s : matched) {
      if (s.in() % d != 0 || s.out() % d != 0) {
        throw TfpeftException.usage("method.fact: site " + s.name() + " is " + s.in() + " x "
            + s.out() + ", not a grid of " + d + " x " + d + " slices; FacT needs the MLP width"
            + " to be a whole multiple of the token width (mlp_ratio a whole number)");
      }
      Site site = new Site(s.name(), (int) (s.in() / d), (int) (s.out() / d), offset);
      sites.put(s.name(), site);
      offset += site.slices();
    }
    return new FactLayout(d, sites, offset);
  }

  /** The token width d: U is [d, r], V is [r, d]. */
  public long width() {
    return width;
  }

  /** The adapted sites in build order. */
  public List<Site> sites() {
    return List.copyOf(sites.values());
  }

  /** The site {@code name}, or null when FacT does not adapt it. */
  public Site site(String name) {
    return sites.get(name);
  }

  /** The tensor's slice count: 12L on a ViT of MLP ratio 4. */
  public int positions() {
    return positions;
  }
}
