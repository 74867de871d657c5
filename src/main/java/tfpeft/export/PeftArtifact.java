package tfpeft.export;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.Version;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.model.BaseIdentity;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;
import tfpeft.model.weights.NamedTensor;

/**
 * A Hugging Face PEFT LoRA adapter as an adapter artifact in memory, so that {@code export
 * --adapter DIR --out SAVEDMODEL} serves it as it serves tfpeft's own: a LoRA run config on the
 * base (the adapter's base_model_name_or_path when that is a local directory, else --weights),
 * rank, scale lora_alpha / r and the exact sites from the adapter, the LoRA matrices and the ViT
 * classifier as the trained tensors (the base's own head where the adapter saves none).
 *
 * <p>PEFT records no checksum of its base, so the artifact's base identity has none and the
 * base is not compared by checksum; the tensors' shapes must fit it.
 */
public final class PeftArtifact {
  private PeftArtifact() {}

  /**
   * @param weights the base (a transformers directory or its tfpeft import), or null for the
   *     adapter's base_model_name_or_path
   * @param classes class names: required for CLIP; for a ViT, null takes the base's id2label
   *     where the classifier sizes agree, else "class 0", "class 1", ...
   * @param templates CLIP's prompt templates, empty for CLIP's default
   */
  public static AdapterArtifact of(Path dir, String weights, List<String> classes,
      List<String> templates) {
    PeftAdapterConfig pc = PeftAdapterConfig.read(dir);
    String base = weights;
    if (base == null) {
      if (pc.baseModel().isEmpty() || !Files.isDirectory(Path.of(pc.baseModel()))) {
        throw TfpeftException.usage(dir.resolve(PeftAdapterConfig.FILE) + ": its base, \""
            + pc.baseModel() + "\" (base_model_name_or_path), is not a local directory; pass"
            + " --weights with the Hugging Face checkpoint directory (config.json +"
            + " model.safetensors) or its tfpeft import");
      }
      base = pc.baseModel();
    }
    base = Path.of(base).toAbsolutePath().normalize().toString();
    WeightsConfig w = WeightsConfig.newBuilder().setPath(base).build();
    Backbones.Described d = Backbones.describe(w);
    ModelConfig.Builder model = ModelConfig.newBuilder().setWeights(w);
    // the architecture as stored: PEFT's model runs at its base's own size
    if (d.model().hasClip()) {
      model.setClip(d.model().getClip().toBuilder().clearTemplates().addAllTemplates(templates));
    } else {
      model.setVit(d.model().getVit());
    }
    RunConfig.Builder rb = RunConfig.newBuilder().setName(dir.toAbsolutePath().normalize()
        .getFileName().toString()).setModel(model);
    PeftExport.huggingFaceBase(rb.build());
    PeftAdapter a = PeftAdapter.read(dir, d.model(), "peft/lora/");
    rb.setMethod(MethodConfig.newBuilder().setLora(a.lora()));
    List<ArtifactTensor> tensors = new ArrayList<>();
    for (NamedTensor t : a.variables().values()) {
      tensors.add(ArtifactTensor.float32(t.name(), t.shape(), t.name().startsWith("head/")
          ? "head" : "adapter", t.data()));
    }
    List<String> names;
    if (d.model().hasClip()) {
      if (classes == null || classes.isEmpty()) {
        throw TfpeftException.usage(dir + " is a PEFT adapter of a CLIPModel, which classifies"
            + " among class names by their text features: give --classes");
      }
      names = classes;
    } else {
      LoadedBackbone b = Backbones.load(w, null);
      int n = a.headClasses();
      if (n == 0) {
        if (b.headClasses() == 0) {
          throw TfpeftException.usage(dir + " saves no classifier (modules_to_save) and the"
              + " base " + base + " has none: there is no head to serve");
        }
        n = b.headClasses();
        for (String v : List.of("head/head/weight", "head/head/bias")) {
          tensors.add(ArtifactTensor.float32(v, b.shapes().get(v), "head", b.tensors().get(v)));
        }
      }
      names = classes != null && !classes.isEmpty() ? classes
          : b.headClasses() == n && !b.report().classNames().isEmpty()
          ? b.report().classNames() : numbered(n);
      if (names.size() != n) {
        throw TfpeftException.usage("--classes names " + names.size() + " classes but the"
            + " adapter's classifier has " + n);
      }
    }
    JsonObject source = new JsonObject();
    source.addProperty("peft_adapter", dir.toAbsolutePath().normalize().toString());
    return new AdapterArtifact(rb.build(), new BaseIdentity(Path.of(base).getFileName()
        .toString(), base, "", 0), Version.get(), names, templates, null, source, tensors);
  }

  private static List<String> numbered(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("class " + i);
    }
    return out;
  }
}
