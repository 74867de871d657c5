package tfpeft.peft;

import java.util.List;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;

/**
 * What an adapter method trains and stores on a backbone, from the config alone (the sites come
 * from a {@link SiteSurvey}): the positions, trainable adapter parameters, and the stored size as
 * Pear's Table I counts it.
 *
 * @param positions sites carrying an adapter while training
 * @param storedAdapters adapters stored after training (Pear keeps fewer than its positions)
 * @param trainableParameters adapter weights trained from the start (head not included)
 * @param storedBytes stored adapter bytes ({@link AdapterStorage})
 * @param bits the adapters' precision: 1, or 0 for float32
 * @param unit what one stored tensor group is called in the summary: "adapters" (a down and up
 *     pair), "bias vectors" (BitFit)
 */
public record AdapterAccounting(int positions, int storedAdapters, long trainableParameters,
    long storedBytes, int bits, String unit) {

  /** An accounting of adapters (a down and an up matrix each). */
  public AdapterAccounting(int positions, int storedAdapters, long trainableParameters,
      long storedBytes, int bits) {
    this(positions, storedAdapters, trainableParameters, storedBytes, bits, "adapters");
  }

  /**
   * The accounting of {@code method} on {@code model}, as the method gives it; null for a method
   * that stores no adapters.
   */
  public static AdapterAccounting of(MethodConfig method, ModelConfig model) {
    return of(method, model, null);
  }

  /**
   * The accounting of {@code method} on {@code model} for an artifact whose method state is
   * {@code state} (null: from the config alone); null for a method that stores no adapters.
   */
  public static AdapterAccounting of(MethodConfig method, ModelConfig model,
      com.google.gson.JsonObject state) {
    return MethodRegistry.builtIn().create(method).accounting(model, state).orElse(null);
  }

  /** One adapter of {@code shape} at each site, every one stored. */
  public static AdapterAccounting ofSites(List<SiteSurvey.Site> sites, AdapterShape shape) {
    long bytes = 0;
    for (SiteSurvey.Site s : sites) {
      bytes += AdapterStorage.adapterBytes(s.in(), shape.rank(), s.out(), shape.bits());
    }
    return new AdapterAccounting(sites.size(), sites.size(), parameters(sites, shape.rank()),
        bytes, shape.bits());
  }

  /** Trainable parameters of a rank-{@code rank} adapter (down and up) at each site. */
  public static long parameters(List<SiteSurvey.Site> sites, long rank) {
    long n = 0;
    for (SiteSurvey.Site s : sites) {
      n += rank * (s.in() + s.out());
    }
    return n;
  }

  /** The model's sites of {@code kind} ("linear", "mlp") that {@code targets} match. */
  public static List<SiteSurvey.Site> sites(ModelConfig model, String kind,
      SitePatterns targets) {
    return SiteSurvey.of(model).stream()
        .filter(s -> s.kind().equals(kind) && targets.matches(s.name())).toList();
  }

  public double storedMegabytes() {
    return AdapterStorage.megabytes(storedBytes);
  }

  /**
   * What {@code train --dry-run} prints, e.g. "adapters: 24 positions, 294,912 parameters;
   * stored: 24 adapters at float32, 1,179,648 bytes = 1.13 MB (...)".
   */
  public String summary() {
    // only adapters are pruned (Pear); other units count tensors apart from positions (FacT's
    // factors serve every position)
    String kept = storedAdapters == positions || !unit.equals("adapters")
        ? storedAdapters + " " + unit : storedAdapters + " " + unit + " kept by the prune step";
    return String.format("%s: %d positions, %,d parameters%nstored: %s at %s, %,d bytes"
        + " = %s MB (adapter weights only, MB = 2^20 bytes, as Pear's Table I counts)",
        unit, positions, trainableParameters, kept, bits == 0 ? "float32"
            : "1 bit (packed, plus float32 mean and std per matrix)", storedBytes,
        new java.math.BigDecimal(storedMegabytes()).round(new java.math.MathContext(3,
            java.math.RoundingMode.HALF_UP)).toPlainString());
  }
}
