package tfpeft.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.Pooling;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.VariableValues;
import tfpeft.model.imports.Backbones;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.CheckpointBase;
import tfpeft.train.RunDirectory;
import tfpeft.train.RunSession;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * {@code export RUN --peft DIR}: a LoRA run on Hugging Face ViT or CLIP weights as a Hugging Face
 * PEFT adapter ({@link PeftAdapter}), loadable with {@code PeftModel.from_pretrained(base, DIR)}
 * on transformers' ViTForImageClassification or CLIPModel of the same weights.
 *
 * <p>Only what maps exactly is written: full-precision LoRA on Linear modules of a transformers
 * ViT (class-token pooling, no pre-logits layer: ViTForImageClassification has neither mean
 * pooling nor a pooler) or CLIP, at the base's own image size. Every other method has no PEFT
 * counterpart and is refused; so is a run on tfpeft's own backbones or other layouts, whose
 * modules have no transformers names (writing their shapes under transformers' names would
 * describe a base that does not exist).
 */
public final class PeftExport {
  /** What was written. */
  public record Result(Path out, CheckpointStore.Checkpoint checkpoint, PeftAdapterConfig config,
      int loraSites, int headClasses) {}

  private PeftExport() {}

  /**
   * @param which "last", "best" or a checkpoint directory
   * @param overrides {@code model.weights.path=...} where the base has moved
   */
  public static Result fromRun(Path runDir, String which, Path out, boolean overwrite,
      MethodRegistry registry, Consumer<String> log, List<String> overrides) {
    RunDirectory dir = RunDirectory.existing(runDir,
        "a PEFT adapter is written from a trained run");
    if (Files.exists(out) && !overwrite) {
      throw TfpeftException.usage(out + " exists; choose another --peft or pass --overwrite");
    }
    RunConfig config = ConfigLoader.load(dir.config(), overrides).resolved();
    refuseMethod(config.getMethod());
    String weights = config.getModel().getWeights().getPath();
    huggingFaceBase(config);
    Path parent = dir.root().normalize().getParent();
    RunConfig.Builder b = config.toBuilder()
        .setName(dir.root().normalize().getFileName().toString())
        .setOutputDir(parent == null ? "." : parent.toString());
    config = b.build();
    CheckpointStore.Checkpoint c = dir.checkpoint(which);
    CheckpointBase.requireBaseFile(c, weights);
    Adapter a;
    try (RunSession m = RunSession.opener(config, registry).classesOfData(c.templates())
        .methodState(c.methodState()).log(log).open()) {
      m.restore(c);
      a = of(m, runDir.toString());
    }
    PeftAdapter.write(out, a.config(), a.tensors());
    return new Result(out, c, a.config(), a.loraSites(), a.headClasses());
  }

  /** A PEFT adapter in memory: its config and its tensors under PEFT's keys and shapes. */
  public record Adapter(PeftAdapterConfig config, List<NamedTensor> tensors, int loraSites,
      int headClasses) {}

  /**
   * The PEFT adapter of the LoRA run open in {@code m} (its values as they are in the session);
   * {@code where} names the run in messages.
   */
  public static Adapter of(RunSession m, String where) {
    RunConfig config = m.config();
    refuseMethod(config.getMethod());
    Backbones.Described base = huggingFaceBase(config);
    List<NamedTensor> tensors = new ArrayList<>();
    PeftModules modules = PeftModules.of(config.getModel());
    int classes = 0;
    List<String> targeted = new ArrayList<>();
    String prefix = m.method().variablePrefix();
    List<ModelVariable> trained = m.graph().trainable();
    for (ModelVariable v : trained) {
      String name = v.name();
      if (!name.startsWith(prefix) && !name.startsWith("head/head/")) {
        throw TfpeftException.usage(where + ": the run trains " + name + ", which a PEFT"
            + " LoRA adapter has no place for");
      }
    }
    float[][] values = new float[trained.size()][];
    int[] i = {0};
    VariableValues.readEach(m.session(), trained, (v, x) -> values[i[0]++] = x);
    for (int k = 0; k < trained.size(); k++) {
      ModelVariable v = trained.get(k);
      long[] shape = v.shape().asArray();
      if (v.name().startsWith("head/")) {
        tensors.add(PeftAdapter.headTensor(v.name(), shape, values[k]));
        classes = (int) shape[shape.length - 1];
        continue;
      }
      String rest = v.name().substring(prefix.length());
      String site = rest.substring(0, rest.lastIndexOf('/'));
      String module = modules.module(site);
      if (module == null) {
        throw TfpeftException.usage(where + ": LoRA at site " + site + " has no Linear module"
            + " in transformers' " + modules.modelClass() + " (method.lora.targets); PEFT"
            + " cannot attach it there");
      }
      boolean down = rest.endsWith("/lora_a");
      if (down) {
        targeted.add(module);
      }
      tensors.add(PeftAdapter.loraTensor(module, down, shape, values[k]));
    }
    var lora = config.getMethod().getLora();
    PeftAdapterConfig pc = new PeftAdapterConfig(baseName(config.getModel().getWeights()
        .getPath(), base), lora.getRank(), PeftAdapterConfig.alphaOf(lora.getScale(),
        lora.getRank()), Double.parseDouble(Float.toString(lora.getDropout())),
        modules.targetModules(targeted), false,
        classes > 0 ? List.of(PeftModules.CLASSIFIER) : List.of(), modules.modelClass(),
        modules.library());
    return new Adapter(pc, tensors, targeted.size(), classes);
  }

  /** Fails (exit 2) unless {@code method} is full-precision LoRA, which PEFT's LoRA is. */
  static void refuseMethod(MethodConfig method) {
    if (method.getMethodCase() != MethodConfig.MethodCase.LORA) {
      throw TfpeftException.usage("method." + MethodRegistry.nameOf(method.getMethodCase())
          + " has no Hugging Face PEFT counterpart that computes the same: --peft writes LoRA"
          + " runs only (export --adapter DIR writes tfpeft's own adapter artifact of any"
          + " method)");
    }
    if (method.getLora().getBits() != 0) {
      throw TfpeftException.usage("method.lora.bits is " + method.getLora().getBits()
          + ": 1-bit LoRA has no PEFT counterpart (PEFT stores float matrices); --peft"
          + " writes full-precision LoRA only (export --adapter DIR keeps the packed bits)");
    }
  }

  /**
   * The run's base described, failing unless it is a transformers ViT or CLIP checkpoint that
   * the run uses as it is.
   */
  static Backbones.Described huggingFaceBase(RunConfig config) {
    String weights = config.getModel().getWeights().getPath();
    if (weights.isEmpty()) {
      throw TfpeftException.usage("model.weights.path is empty (a randomly initialized"
          + " backbone): a PEFT adapter names a pretrained transformers model; train on"
          + " Hugging Face weights (a directory with config.json and model.safetensors)");
    }
    Backbones.Described d = Backbones.describe(config.getModel().getWeights());
    if (!d.huggingFace()) {
      throw TfpeftException.usage("model.weights " + weights + " is " + (d.importedLayout()
          != null ? "imported from " + d.importedLayout() : d.layout()) + " (format "
          + d.format() + "): a PEFT adapter attaches to a transformers model by its module"
          + " names, which this base does not have; --peft needs a run on Hugging Face ViT or"
          + " CLIPModel weights (config.json + model.safetensors, or tfpeft import of them);"
          + " export --adapter DIR writes tfpeft's own artifact for this run");
    }
    ModelConfig run = config.getModel();
    if (run.hasVit()) {
      if (run.getVit().getPreLogits()) {
        throw TfpeftException.usage("the run's ViT has a pre-logits layer (the ViTModel"
            + " pooler); transformers' ViTForImageClassification has none, so no PEFT adapter"
            + " on it computes this run's logits");
      }
      if (run.getVit().getPooling() != Pooling.CLASS_TOKEN) {
        throw TfpeftException.usage("model.vit.pooling is " + run.getVit().getPooling()
            + "; transformers' ViTForImageClassification classifies the class token, so no"
            + " PEFT adapter on it computes this run's logits");
      }
    }
    int size = run.hasVit() ? run.getVit().getImageSize() : run.getClip().getImageSize();
    ModelConfig stored = d.model();
    Path original = d.huggingFaceFile();
    if (d.format() != tfpeft.config.proto.WeightsFormat.SAFETENSORS && Files.exists(original)) {
      // imported: the transformers checkpoint's own size, which an import may have resampled
      stored = Backbones.describe(tfpeft.config.proto.WeightsConfig.newBuilder()
          .setPath(original.toString()).build()).model();
    }
    int own = stored.hasVit() ? stored.getVit().getImageSize()
        : stored.getClip().getImageSize();
    if (size != own) {
      throw TfpeftException.usage("the run's image size is " + size + " but its base's is "
          + own + " (position embeddings resampled); the transformers model PEFT loads keeps"
          + " " + own + ", so it would not compute this run's logits");
    }
    return d;
  }

  /**
   * base_model_name_or_path: the directory of the transformers checkpoint (the run's weights, or
   * what they were imported from), as from_pretrained takes it.
   */
  static String baseName(String weights, Backbones.Described d) {
    Path f = d.huggingFaceFile().toAbsolutePath().normalize();
    return (Files.isDirectory(f) ? f : f.getParent()).toString();
  }
}
