package tfpeft.peft.mask;

import java.util.regex.Pattern;
import tfpeft.config.proto.Encoders;
import tfpeft.config.proto.MaskGroup;

/**
 * Which Linear sites carry a mask, from the weight group and the encoders (R-AMT, section 3.2):
 * AMT masks the attention projections, MMT the MLP, PMT both. The patch embedding is a
 * convolution the official code masks in every group that includes attention, so it goes with
 * AMT and PMT. The projections into the shared space ({@code proj}, {@code text/proj}) are plain
 * parameters in CLIP rather than linear layers and are never masked; neither are biases, which
 * the site hook never sees.
 */
public final class MaskTargets {
  private static final Pattern ATTENTION = Pattern.compile("block\\d+/attn/(q|k|v|out)");
  private static final Pattern MLP = Pattern.compile("block\\d+/mlp/fc[12]");
  private static final String TEXT = "text/";
  private static final String PATCH_EMBED = "patch_embed";

  private final MaskGroup group;
  private final Encoders encoders;

  public MaskTargets(MaskGroup group, Encoders encoders) {
    this.group = group;
    this.encoders = encoders;
  }

  /** Whether the weight of Linear site {@code site} is masked. */
  public boolean masked(String site) {
    boolean text = site.startsWith(TEXT);
    if (text ? encoders == Encoders.IMAGE : encoders == Encoders.TEXT) {
      return false;
    }
    String local = text ? site.substring(TEXT.length()) : site;
    boolean attention = group != MaskGroup.MMT;
    boolean mlp = group != MaskGroup.AMT;
    if (local.equals(PATCH_EMBED)) {
      return !text && attention;
    }
    return attention && ATTENTION.matcher(local).matches()
        || mlp && MLP.matcher(local).matches();
  }

  public MaskGroup group() {
    return group;
  }

  public Encoders encoders() {
    return encoders;
  }
}
