package tfpeft.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import tfpeft.TfpeftException;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.model.weights.ElementType;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.SafetensorsReader;
import tfpeft.model.weights.SafetensorsWriter;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.SiteSurvey;
import tfpeft.util.AtomicFiles;

/**
 * A Hugging Face PEFT LoRA adapter directory (adapter_config.json + adapter_model.safetensors)
 * and its tensors under tfpeft's variable names.
 *
 * <p>PEFT stores {@code base_model.model.<module>.lora_A.weight} [r, in] and {@code
 * .lora_B.weight} [out, r] as torch Linear weights and adds (lora_alpha / r) * B A x to the
 * module's output; tfpeft's LoRA adds s * x A' B' with A' [in, r], B' [r, out] (Hu et al.,
 * Eq. 3, in row-vector form). So A' = lora_A^T, B' = lora_B^T and s = lora_alpha / r, exactly.
 * The ViT head, which PEFT keeps under modules_to_save, is saved as {@code
 * base_model.model.classifier.weight} [C, D] and {@code .bias} (PEFT's state dict drops both the
 * adapter name and the "modules_to_save" infix), tfpeft's head/head/weight [D, C] and bias.
 *
 * @param variables tfpeft variable name to its values in tfpeft's shape, in file order
 * @param sites the Linear sites the adapter's tensors name, sorted
 * @param headClasses the classes of the saved classifier, 0 when it has none
 */
public record PeftAdapter(Path dir, PeftAdapterConfig config, Map<String, NamedTensor> variables,
    List<String> sites, int headClasses) {
  private static final Pattern LORA_KEY = Pattern.compile("(.+)\\.lora_(A|B)\\.weight");

  /** The LoRA config the adapter computes with: its rank, scale and exact sites. */
  public LoraConfig lora() {
    return LoraConfig.newBuilder().setRank(config.r()).setScale(config.scale())
        .setDropout((float) config.loraDropout()).addAllTargets(sites).build();
  }

  /** The variable of {@code site}'s lora_a or lora_b under {@code prefix} ("peft/lora/"). */
  static String variable(String prefix, String site, boolean down) {
    return prefix + site + (down ? "/lora_a" : "/lora_b");
  }

  // ---- reading -----------------------------------------------------------------------------

  /**
   * Reads adapter directory {@code dir} for a model of architecture {@code model}, naming tfpeft
   * variables under {@code prefix}; every key that is not a LoRA matrix of one of the model's
   * Linear modules (or the ViT classifier), and every shape that does not fit, is a usage error
   * naming the key.
   */
  public static PeftAdapter read(Path dir, ModelConfig model, String prefix) {
    PeftAdapterConfig config = PeftAdapterConfig.read(dir);
    Path file = dir.resolve(PeftAdapterConfig.TENSORS);
    if (!Files.isRegularFile(file)) {
      throw TfpeftException.usage(file + ": missing; a PEFT adapter directory holds "
          + PeftAdapterConfig.TENSORS + " beside " + PeftAdapterConfig.FILE
          + " (adapter_model.bin, PEFT's older pickle format, is not read: save with"
          + " safe_serialization=True)");
    }
    // the reader checks every offset against the file's size before reading, so what is
    // allocated is bounded by the file, whatever the header claims
    TensorFile tensors = SafetensorsReader.read(file);
    PeftModules modules = PeftModules.of(model);
    Map<String, NamedTensor> out = new LinkedHashMap<>();
    Map<String, long[]> ranks = new TreeMap<>();
    int classes = 0;
    for (NamedTensor t : tensors.tensors()) {
      String key = t.name();
      if (!key.startsWith(PeftModules.PREFIX)) {
        throw bad(file, key, "does not start with " + PeftModules.PREFIX + ", as PEFT's"
            + " PeftModel names every tensor; not a PEFT adapter of a transformers model");
      }
      String name = key.substring(PeftModules.PREFIX.length());
      if (!modules.clip() && (name.equals(PeftModules.CLASSIFIER + ".weight")
          || name.equals(PeftModules.CLASSIFIER + ".bias"))) {
        classes = classifier(file, key, t, model, out, classes);
        continue;
      }
      var m = LORA_KEY.matcher(name);
      if (!m.matches()) {
        throw bad(file, key, "is not a LoRA matrix (lora_A.weight or lora_B.weight)"
            + (name.contains("lora_magnitude_vector") ? ": a DoRA magnitude, which tfpeft's"
                + " LoRA has no place for" : name.contains("lora_embedding")
                ? ": LoRA on an embedding, which tfpeft's LoRA does not adapt" : "")
            + "; tfpeft reads LoRA on the Linear modules of " + modules.modelClass()
            + (modules.clip() ? "" : " and its classifier"));
      }
      SiteSurvey.Site site = modules.site(m.group(1));
      if (site == null) {
        throw bad(file, key, "adapts module " + m.group(1) + ", which is no Linear of tfpeft's "
            + modules.modelClass() + " (the model's Linears are " + examples(modules)
            + "); the adapter is for another model or architecture");
      }
      boolean down = m.group(2).equals("A");
      long[] s = t.shape();
      long want = down ? site.in() : site.out();
      if (s.length != 2 || s[0] < 1 || s[1] < 1 || (down ? s[1] : s[0]) != want) {
        throw bad(file, key, "has shape " + NamedTensor.formatShape(s) + " but "
            + m.group(1) + " is a Linear " + site.in() + " -> " + site.out() + ", so lora_"
            + m.group(2) + " must be " + (down ? "[r, " + site.in() + "]" : "[" + site.out()
                + ", r]") + "; the adapter is for another architecture");
      }
      long rank = down ? s[0] : s[1];
      if (rank != config.r()) {
        throw bad(file, key, "has rank " + rank + " but " + PeftAdapterConfig.FILE + " says r "
            + config.r() + "; the directory's files do not belong together");
      }
      ranks.computeIfAbsent(site.name(), k -> new long[2])[down ? 0 : 1]++;
      float[] values = transpose(t.data(), (int) s[0], (int) s[1]);
      String var = variable(prefix, site.name(), down);
      out.put(var, new NamedTensor(var, new long[] {s[1], s[0]}, values));
    }
    for (Map.Entry<String, long[]> e : ranks.entrySet()) {
      if (e.getValue()[0] != 1 || e.getValue()[1] != 1) {
        String missing = e.getValue()[0] == 0 ? "lora_A" : "lora_B";
        throw TfpeftException.usage(file + ": " + PeftModules.PREFIX
            + modules.module(e.getKey()) + "." + missing + ".weight is missing; a LoRA needs"
            + " both matrices");
      }
    }
    if (ranks.isEmpty()) {
      throw TfpeftException.usage(file + ": holds no LoRA matrix (lora_A.weight /"
          + " lora_B.weight); nothing to start from");
    }
    checkTargets(dir, config, modules, new ArrayList<>(ranks.keySet()));
    return new PeftAdapter(dir, config, out, new ArrayList<>(ranks.keySet()), classes);
  }

  private static int classifier(Path file, String key, NamedTensor t, ModelConfig model,
      Map<String, NamedTensor> out, int classes) {
    long d = model.getVit().getWidth();
    long[] s = t.shape();
    boolean weight = key.endsWith(".weight");
    if (weight ? s.length != 2 || s[1] != d || s[0] < 1 : s.length != 1 || s[0] < 1) {
      throw bad(file, key, "has shape " + NamedTensor.formatShape(s) + "; the classifier of a"
          + " ViT of width " + d + " is weight [classes, " + d + "] and bias [classes]");
    }
    int c = (int) s[0];
    if (classes != 0 && classes != c) {
      throw bad(file, key, "is for " + c + " classes but the other classifier tensor for "
          + classes);
    }
    if (weight) {
      out.put("head/head/weight", new NamedTensor("head/head/weight", new long[] {d, c},
          transpose(t.data(), c, (int) d)));
    } else {
      out.put("head/head/bias", new NamedTensor("head/head/bias", s, t.data()));
    }
    return c;
  }

  /**
   * Fails when target_modules (a list of names matched as PEFT does, by equality or as a suffix
   * after a dot, or one regular expression matched whole) selects other Linear modules than the
   * tensors adapt: PEFT would build the model with LoRA there, so the two would differ.
   */
  private static void checkTargets(Path dir, PeftAdapterConfig config, PeftModules modules,
      List<String> sites) {
    if (config.targetModules().isEmpty()) {
      return;
    }
    List<String> adapted = new ArrayList<>();
    sites.forEach(s -> adapted.add(modules.module(s)));
    List<String> selected = new ArrayList<>();
    for (String m : modules.linearModules()) {
      boolean hit;
      if (config.targetRegex()) {
        hit = Pattern.compile(config.targetModules().get(0)).matcher(m).matches();
      } else {
        hit = config.targetModules().stream().anyMatch(t -> m.equals(t) || m.endsWith("." + t));
      }
      if (hit && !(m.equals(PeftModules.CLASSIFIER))) {
        selected.add(m);
      }
    }
    List<String> extra = new ArrayList<>(selected);
    extra.removeAll(adapted);
    List<String> unselected = new ArrayList<>(adapted);
    unselected.removeAll(selected);
    if (!extra.isEmpty() || !unselected.isEmpty()) {
      throw TfpeftException.usage(dir.resolve(PeftAdapterConfig.FILE) + ": target_modules "
          + config.targetModules() + (extra.isEmpty() ? "" : " selects " + first(extra)
              + ", which " + PeftAdapterConfig.TENSORS + " has no LoRA for")
          + (unselected.isEmpty() ? "" : (extra.isEmpty() ? "" : ", and") + " does not select "
              + first(unselected) + ", which " + PeftAdapterConfig.TENSORS + " adapts")
          + "; the two files do not belong together");
    }
  }

  private static String first(List<String> l) {
    return l.size() == 1 ? l.get(0) : l.get(0) + " (and " + (l.size() - 1) + " more)";
  }

  private static String examples(PeftModules modules) {
    List<String> all = modules.linearModules();
    return all.isEmpty() ? "none" : all.get(0) + (all.size() > 1 ? " ... " + all.get(
        all.size() - 1) : "");
  }

  private static TfpeftException bad(Path file, String key, String what) {
    return TfpeftException.usage(file + ": tensor '" + key + "' " + what);
  }

  static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = m[r * cols + c];
      }
    }
    return t;
  }

  // ---- writing -----------------------------------------------------------------------------

  /**
   * Writes {@code config} and {@code tensors} (PEFT keys, PEFT shapes) as adapter directory
   * {@code out}; it appears complete or not at all.
   */
  public static void write(Path out, PeftAdapterConfig config, List<NamedTensor> tensors) {
    Path parent = out.toAbsolutePath().getParent();
    Path tmp = parent.resolve("." + out.getFileName() + ".peft.tmp");
    try {
      Files.createDirectories(parent);
      AtomicFiles.deleteTree(tmp);
      Files.createDirectories(tmp);
      // "format": "pt" is what torch's safetensors writer records, and what PEFT expects
      SafetensorsWriter.write(tmp.resolve(PeftAdapterConfig.TENSORS), tensors, ElementType.F32,
          Map.of("format", "pt"));
      AtomicFiles.writeString(tmp.resolve(PeftAdapterConfig.FILE), config.text());
      AtomicFiles.replaceDirectory(tmp, out);
    } catch (IOException e) {
      throw TfpeftException.failure("cannot write the PEFT adapter " + out + ": "
          + e.getMessage(), e);
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
  }

  /** The PEFT tensor of a LoRA matrix of {@code module}: tfpeft's [in, r] or [r, out] transposed. */
  static NamedTensor loraTensor(String module, boolean down, long[] shape, float[] values) {
    String key = PeftModules.PREFIX + module + (down ? ".lora_A.weight" : ".lora_B.weight");
    return new NamedTensor(key, new long[] {shape[1], shape[0]},
        transpose(values, (int) shape[0], (int) shape[1]));
  }

  /** The PEFT tensor of tfpeft's head/head/weight [D, C] or bias [C]. */
  static NamedTensor headTensor(String variable, long[] shape, float[] values) {
    if (variable.endsWith("/weight")) {
      return new NamedTensor(PeftModules.PREFIX + PeftModules.CLASSIFIER + ".weight",
          new long[] {shape[1], shape[0]}, transpose(values, (int) shape[0], (int) shape[1]));
    }
    return new NamedTensor(PeftModules.PREFIX + PeftModules.CLASSIFIER + ".bias",
        Arrays.copyOf(shape, shape.length), values);
  }
}
