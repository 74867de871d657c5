package tfpeft.util;

/**
 * Derives independent random streams from the run seed. Every random choice of a run is keyed by
 * what it is for (a purpose tag, an epoch, an example index), never by the order in which threads
 * reach it, so results do not depend on the number of threads.
 */
public final class Seeds {
  private Seeds() {}

  /** SplitMix64's finalizer: a bijective mix of 64 bits. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A seed for {@code parts} under {@code seed}, e.g. derive(seed, "augment", epoch, index). */
  public static long derive(long seed, Object... parts) {
    long h = mix(seed + 0x9e3779b97f4a7c15L);
    for (Object p : parts) {
      long v = p instanceof Number n ? n.longValue() : stringHash(String.valueOf(p));
      h = mix(h ^ mix(v + 0x632be59bd9b4e019L));
    }
    return h;
  }

  private static long stringHash(String s) {
    long h = 1125899906842597L;
    for (int i = 0; i < s.length(); i++) {
      h = 31 * h + s.charAt(i);
    }
    return mix(h);
  }
}
