package tfpeft.export;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.BackboneChecksum;
import tfpeft.model.ModelVariable;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.SiteSurvey;
import tfpeft.peft.lora.LoraSite;
import tfpeft.train.TrainGraph;
import tfpeft.train.Trainer;

/**
 * A run started from a Hugging Face PEFT LoRA adapter ({@code train --init-adapter DIR} where DIR
 * holds adapter_config.json): the run's method must be the adapter's LoRA (rank r, scale
 * lora_alpha / r, the same sites), its base Hugging Face weights of the architecture the tensors
 * fit; the LoRA matrices (and the ViT classifier, when saved) replace the initializers.
 *
 * <p>A PEFT adapter records no checksum of its base, only base_model_name_or_path: the shapes
 * are what is checked, and a local base path other than the run's is said in the log.
 */
public final class PeftStart implements Trainer.Start {
  private final Path dir;
  private final PeftAdapterConfig config;
  private final PeftAdapter adapter;
  private final String note;

  private PeftStart(Path dir, PeftAdapterConfig config, PeftAdapter adapter, String note) {
    this.dir = dir;
    this.config = config;
    this.adapter = adapter;
    this.note = note;
  }

  /**
   * Reads adapter {@code dir} and checks it against {@code run} (its model.weights' headers
   * only) before any weights or data load: the method must be LoRA at full precision with the
   * adapter's rank, scale and sites, the base Hugging Face weights its tensors fit.
   *
   * @param run the run's config as written (its model fields are requests to the weights)
   */
  public static PeftStart of(Path dir, RunConfig run) {
    PeftAdapterConfig c = PeftAdapterConfig.read(dir);
    if (run.getMethod().getMethodCase() != tfpeft.config.proto.MethodConfig.MethodCase.LORA) {
      throw TfpeftException.usage(dir + " is a PEFT LoRA adapter but the config's method is "
          + tfpeft.peft.MethodRegistry.nameOf(run.getMethod().getMethodCase()) + "; a run"
          + " starts from it with method { lora { rank: " + c.r() + " scale: "
          + fmt(c.scale()) + " } }");
    }
    LoraConfig lora = run.getMethod().getLora();
    if (lora.getBits() != 0) {
      throw TfpeftException.usage(dir + " is a full-precision PEFT LoRA but method.lora.bits is"
          + " " + lora.getBits() + "; set method.lora.bits: 0");
    }
    if (lora.getRank() != c.r()) {
      throw TfpeftException.usage(dir.resolve(PeftAdapterConfig.FILE) + ": r is " + c.r()
          + " but the config's method.lora.rank is " + lora.getRank() + "; set"
          + " method.lora.rank: " + c.r() + " (or --set method.lora.rank=" + c.r() + ")");
    }
    if (lora.getScale() != c.scale()) {
      throw TfpeftException.usage(dir.resolve(PeftAdapterConfig.FILE) + ": lora_alpha "
          + fmt(c.loraAlpha()) + " over r " + c.r() + " is the scale " + fmt(c.scale())
          + " but the config's method.lora.scale is " + fmt(lora.getScale()) + "; set"
          + " method.lora.scale: " + fmt(c.scale()) + " (or --set method.lora.scale="
          + fmt(c.scale()) + ")");
    }
    // the architecture the run will build: the written model merged with the weights' own
    RunConfig built = run.toBuilder().setModel(tfpeft.model.imports.Backbones.architecture(
        run.getModel().getWeights(), run.getModel()).toBuilder()
        .setWeights(run.getModel().getWeights())).build();
    var described = PeftExport.huggingFaceBase(built);
    PeftAdapter a = PeftAdapter.read(dir, built.getModel(), "peft/"
        + tfpeft.peft.MethodRegistry.nameOf(run.getMethod().getMethodCase()) + "/");
    checkSites(a, built);
    String note = "";
    if (!c.baseModel().isEmpty() && Files.isDirectory(Path.of(c.baseModel()))) {
      // a hub name cannot be compared; a local directory can
      Path theirs = Path.of(c.baseModel()).toAbsolutePath().normalize();
      Path ours = Path.of(PeftExport.baseName(run.getModel().getWeights().getPath(),
          described));
      if (!ours.equals(theirs)) {
        note = "; made on " + theirs + ", not this run's base (the shapes fit; a PEFT adapter"
            + " records no checksum to compare)";
      }
    }
    return new PeftStart(dir, c, a, note);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : Float.toString((float) v);
  }

  @Override
  public JsonObject methodState() {
    return null;
  }

  @Override
  public String apply(TrainGraph graph, Session session, BackboneChecksum base) {
    PeftAdapter a = adapter;
    List<ModelVariable> assign = new ArrayList<>();
    List<float[]> values = new ArrayList<>();
    for (ModelVariable v : graph.trainable()) {
      NamedTensor t = a.variables().get(v.name());
      if (t == null) {
        if (v.name().startsWith("head/")) {
          continue;  // no classifier saved: the run's head starts from its initializer
        }
        throw TfpeftException.usage(dir + ": no value for " + v.name() + ", which the run"
            + " trains");
      }
      if (!Arrays.equals(t.shape(), v.shape().asArray())) {
        throw TfpeftException.usage(dir + ": " + v.name() + " is "
            + NamedTensor.formatShape(t.shape()) + " in the adapter but " + v.shape()
            + " in the run" + (v.name().startsWith("head/") ? " (the adapter's classifier has "
                + a.headClasses() + " classes; the run's data has a different number)" : ""));
      }
      assign.add(v);
      values.add(t.data());
    }
    VariableValues.assignAll(session, assign, values);
    return "PEFT LoRA adapter " + dir + " (r " + config.r() + ", lora_alpha "
        + fmt(config.loraAlpha()) + ", " + a.sites().size() + " modules"
        + (a.headClasses() > 0 ? ", classifier" : "") + ")" + note;
  }

  /** Fails unless the run's method.lora.targets select exactly the sites the adapter adapts. */
  static void checkSites(PeftAdapter a, RunConfig run) {
    TreeSet<String> ours = new TreeSet<>();
    for (SiteSurvey.Site s : AdapterAccounting.sites(run.getModel(), "linear",
        LoraSite.targets(run.getMethod().getLora()))) {
      ours.add(s.name());
    }
    TreeSet<String> theirs = new TreeSet<>(a.sites());
    if (!ours.equals(theirs)) {
      List<String> onlyOurs = new ArrayList<>(ours);
      onlyOurs.removeAll(theirs);
      List<String> onlyTheirs = new ArrayList<>(theirs);
      onlyTheirs.removeAll(ours);
      throw TfpeftException.usage(a.dir() + ": the adapter has LoRA at " + theirs.size()
          + " sites, the config's method.lora.targets select " + ours.size()
          + (onlyTheirs.isEmpty() ? "" : "; only the adapter has " + onlyTheirs)
          + (onlyOurs.isEmpty() ? "" : "; only the config has " + onlyOurs)
          + "; set method.lora.targets to the adapter's sites, e.g. targets: \""
          + String.join("\" targets: \"", theirs) + "\"");
    }
  }
}
