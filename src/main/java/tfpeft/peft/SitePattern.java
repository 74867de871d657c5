package tfpeft.peft;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A pattern over site names ("block3/attn/q", "text/block2/in", "patch_embed"), as method
 * configs write them: {@code *} matches within one '/'-separated part, {@code **} across parts,
 * {@code ?} one character; anything else matches itself. "*&#47;attn/q" is every image block's
 * query projection, "**&#47;attn/q" also the text tower's.
 */
public final class SitePattern {
  private final String glob;
  private final Pattern regex;

  private SitePattern(String glob, Pattern regex) {
    this.glob = glob;
    this.regex = regex;
  }

  public static SitePattern of(String glob) {
    StringBuilder r = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        r.append(".*");
        i++;
      } else if (c == '*') {
        r.append("[^/]*");
      } else if (c == '?') {
        r.append("[^/]");
      } else {
        r.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return new SitePattern(glob, Pattern.compile(r.toString()));
  }

  public static List<SitePattern> of(List<String> globs) {
    return globs.stream().map(SitePattern::of).toList();
  }

  public boolean matches(String site) {
    return regex.matcher(site).matches();
  }

  /** Whether any of {@code patterns} matches {@code site}. */
  public static boolean any(List<SitePattern> patterns, String site) {
    return patterns.stream().anyMatch(p -> p.matches(site));
  }

  @Override
  public String toString() {
    return glob;
  }
}
