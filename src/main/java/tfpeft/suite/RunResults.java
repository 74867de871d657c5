package tfpeft.suite;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import tfpeft.config.ConfigLoader;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.imports.Backbones;
import tfpeft.peft.MethodRegistry;

/**
 * What a suite reads back from its runs: the {@code report.json} a finished run wrote (test top-1,
 * the validation top-1 the search selects on, base and new accuracy), a transfer evaluation's
 * JSON, and the stored size of the run's method. Accuracies are fractions; NaN where absent.
 */
public final class RunResults {
  private RunResults() {}

  /**
   * One finished run.
   *
   * @param test test top-1 of the final weights (base classes under base-to-new)
   * @param validation the best validation top-1 over the run's evaluations (report.json
   *     best.eval), NaN when the run evaluated on no validation split
   * @param validationSplit the split that figure is from ("val"; "test" where the data has no
   *     validation split, which a search cannot select on)
   * @param base base-class test top-1 under base-to-new, else NaN
   * @param novel new-class test top-1 under base-to-new, else NaN
   */
  public record Result(double test, double validation, String validationSplit, double base,
      double novel) {}

  /** Whether {@code run} finished: its report.json exists (train writes it last). */
  public static boolean finished(SuitePlan.Run run) {
    return Files.isRegularFile(run.runDir().resolve("report.json"));
  }

  /** The finished run's results, or empty when it has not finished (or its report is damaged). */
  public static Optional<Result> read(SuitePlan.Run run) {
    Path report = run.runDir().resolve("report.json");
    if (!Files.isRegularFile(report)) {
      return Optional.empty();
    }
    try {
      JsonObject r = JsonParser.parseString(Files.readString(report, StandardCharsets.UTF_8))
          .getAsJsonObject();
      double test = r.getAsJsonObject("test").get("top1").getAsDouble();
      double val = Double.NaN;
      String split = "";
      if (r.has("best") && r.getAsJsonObject("best").has("eval")) {
        JsonObject eval = r.getAsJsonObject("best").getAsJsonObject("eval");
        split = eval.has("split") ? eval.get("split").getAsString() : "";
        val = eval.has("top1") ? eval.get("top1").getAsDouble() : Double.NaN;
      }
      double base = Double.NaN;
      double novel = Double.NaN;
      if (r.has("base_to_new")) {
        base = r.getAsJsonObject("base_to_new").get("base").getAsDouble();
        novel = r.getAsJsonObject("base_to_new").get("new").getAsDouble();
      }
      return Optional.of(new Result(test, val, split, base, novel));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Where {@code tfpeft eval --data} wrote the evaluation of {@code eval}, if it did. */
  public static Optional<Path> evalFile(SuitePlan.Eval eval) {
    String suffix = "_test_on_" + eval.dataFile().getFileName().toString()
        .replaceFirst("\\.[^.]*$", "") + ".json";
    if (!Files.isDirectory(eval.run().runDir())) {
      return Optional.empty();
    }
    try (var files = Files.list(eval.run().runDir())) {
      return files.filter(p -> p.getFileName().toString().startsWith("eval_")
          && p.getFileName().toString().endsWith(suffix)).sorted().findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The transfer evaluation's test top-1, or NaN when it has not run. */
  public static double evalTop1(SuitePlan.Eval eval) {
    Optional<Path> file = evalFile(eval);
    if (file.isEmpty()) {
      return Double.NaN;
    }
    try {
      JsonObject r = JsonParser.parseString(Files.readString(file.get(),
          StandardCharsets.UTF_8)).getAsJsonObject();
      return r.getAsJsonObject("test").get("top1").getAsDouble();
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * The stored size of the run's method in MiB, as the method's storage accounting gives it
   * (adapter weights, no head: Pear's Table I), from the config the run directory holds; NaN for
   * a method that stores no adapters or a run not started.
   */
  public static double storedMegabytes(SuitePlan.Run run) {
    Path config = run.runDir().resolve("config.pbtxt");
    if (!Files.isRegularFile(config)) {
      return Double.NaN;
    }
    try {
      RunConfig c = ConfigLoader.load(config, List.of(), Backbones::architecture).resolved();
      return MethodRegistry.builtIn().create(c.getMethod()).accounting(c.getModel(), null)
          .map(a -> a.storedMegabytes()).orElse(Double.NaN);
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }
}
