package tfpeft.peft.fourierft;

/**
 * The fixed frequencies of FourierFT's spectrum (the paper's entry matrix E): n distinct
 * positions of an [in, out] grid, drawn from a seed. The official code takes
 * {@code torch.randperm(in * in, generator=seed)[:n]}; torch's generator is not reproducible
 * here, so the draw is tfpeft's own and fully specified, for any implementation to repeat:
 * a SplitMix64 stream seeded with the seed drives a partial Fisher-Yates shuffle of 0 .. in*out-1
 * (step i swaps position i with i + (next() mod (in*out - i)), the 64-bit output read unsigned),
 * and the first n positions are the draw. Position e is frequency (e / out, e mod out), row-major
 * as the official code splits its index (e // in, e % in on its square grid).
 */
public final class SpectralEntries {
  private SpectralEntries() {}

  /** The first {@code n} positions of the seeded shuffle of 0 .. {@code cells} - 1. */
  public static int[] draw(long seed, int cells, int n) {
    if (n < 1 || n > cells) {
      throw new IllegalArgumentException(n + " entries of a grid of " + cells);
    }
    int[] perm = new int[cells];
    for (int i = 0; i < cells; i++) {
      perm[i] = i;
    }
    long state = seed;
    for (int i = 0; i < n; i++) {
      state += 0x9E3779B97F4A7C15L;
      long z = state;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      z = z ^ (z >>> 31);
      int j = i + (int) Long.remainderUnsigned(z, cells - i);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    return java.util.Arrays.copyOf(perm, n);
  }

  /**
   * For each of the {@code cells} grid positions, the index of its coefficient among the drawn
   * {@code entries}, or {@code entries.length} where no coefficient sits (a zero of F).
   */
  public static int[] slots(int[] entries, int cells) {
    int[] slot = new int[cells];
    java.util.Arrays.fill(slot, entries.length);
    for (int l = 0; l < entries.length; l++) {
      slot[entries[l]] = l;
    }
    return slot;
  }
}
