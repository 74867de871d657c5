package tfpeft.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import tfpeft.model.GraphControls;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.TransformConfig;
import tfpeft.data.Preprocess;
import tfpeft.data.Transforms;
import tfpeft.data.image.ImageDecoder;
import tfpeft.data.image.ImageEncoder;
import tfpeft.data.image.RgbImage;
import tfpeft.export.ServingExport;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;

/** {@code tfpeft export}: a classifier as a SavedModel for serving. */
final class ExportCommand implements Command {
  @Override
  public String name() {
    return "export";
  }

  @Override
  public String summary() {
    return "write a SavedModel for serving: a trained run with its method folded in, an"
        + " adapter artifact on its base, or a backbone; write a run's adapter artifact";
  }

  @Override
  public String usage() {
    return "export RUN_DIR [--out DIR [--version N]] [--checkpoint last|best|PATH] [--keep-lora]"
        + " [--overwrite] [--set model.weights.path=BASE]"
        + "\n       tfpeft export RUN_DIR --adapter DIR [--checkpoint last|best|PATH] [--overwrite]"
        + " [--set model.weights.path=BASE]"
        + "\n       tfpeft export RUN_DIR --peft DIR [--checkpoint last|best|PATH] [--overwrite]"
        + " [--set model.weights.path=BASE]"
        + "\n       tfpeft export --adapter ART --out DIR [--weights BASE] [--keep-lora]"
        + " [--overwrite]"
        + "\n       tfpeft export --adapter A --adapter B ... --out DIR [--weights BASE]"
        + " [--overwrite]"
        + "\n       tfpeft export (--weights PATH | --config FILE) --out DIR [--classes NAMES]"
        + " [--template T]";
  }

  @Override
  public String description() {
    return "Writes a SavedModel (tag serve) of a classifier: signature serving_default takes"
        + " preprocessed float images [N, S, S, 3], serving_bytes one encoded JPEG or PNG that"
        + " the graph decodes, resizes and normalizes as the model's preprocessing says; both"
        + " return logits, probabilities, class_id and class_name, and assets/class_names.txt"
        + " holds the names.\n\n"
        + "export RUN_DIR serves a trained run: its graph is rebuilt from RUN_DIR/config.pbtxt"
        + " with the same method, classes and classifier, restored from the chosen checkpoint"
        + " (default last) with the method's state (a Pear plan), and the method is folded in:"
        + " LoRA merged into the weights (1-bit adapters as trained, dequantized; Pear's"
        + " shared adapters at every position they serve), or kept as separate paths with"
        + " --keep-lora (or export.merge_lora: false); masks binarized and applied to their"
        + " weights; AdaptFormer branches and prompts kept in the graph. A CLIP scoring classes"
        + " by text has its class text features computed once with the trained weights and"
        + " baked in, so serving runs only the image tower. --out defaults to RUN_DIR/export"
        + " (export.dir). Before the directory appears the SavedModel is loaded back in a"
        + " fresh session and its logits compared with the trained graph's (without the"
        + " folding, from the same checkpoint) on a held batch: images of the run's test split,"
        + " or deterministic random images when the data is not at hand; above"
        + " export.check_tolerance (1e-5) nothing is written and the command fails. A run on"
        + " pretrained weights has adapter-sized checkpoints: its frozen backbone is read from"
        + " its base (model.weights; --set model.weights.path=BASE where it has moved), whose"
        + " SHA-256 must be the one the checkpoint records.\n\n"
        + "export --weights/--config serves a backbone: a ViT needs weights with a head; a CLIP"
        + " becomes a zero-shot classifier with the class text features of --classes and"
        + " --template baked in; its logits are checked against the source graph's the same"
        + " way. The bytes path is compared with tfpeft's own preprocessing and reported.\n\n"
        + "export RUN_DIR --adapter DIR writes the run's adapter artifact instead: its trained"
        + " state only (adapters, 1-bit ones bit-packed, masks bit-packed, prompts, head), the"
        + " method config and state, class names, and the identity (SHA-256) of the base it"
        + " needs; it prints the size and checks the adapter bytes against the storage"
        + " accounting. tfpeft train --init-adapter DIR starts a run from one.\n\n"
        + "export RUN_DIR --peft DIR writes a LoRA run on Hugging Face ViT or CLIPModel"
        + " weights as a Hugging Face PEFT adapter: adapter_config.json (peft_type LORA, r,"
        + " lora_alpha = scale * r, target_modules, modules_to_save [classifier] for a ViT,"
        + " base_model_name_or_path the run's weights) and adapter_model.safetensors"
        + " (base_model.model.<module>.lora_A.weight [r, in] and lora_B.weight [out, r], the"
        + " ViT head as base_model.model.classifier.weight/bias), for PeftModel.from_pretrained"
        + " on transformers' ViTForImageClassification or CLIPModel. Other methods, 1-bit"
        + " LoRA and runs on other bases have no exact PEFT counterpart and are refused (exit"
        + " 2). tfpeft train --init-adapter DIR starts a run from such a directory.\n\n"
        + "export --adapter ART --out DIR serves an artifact as export RUN_DIR serves its run:"
        + " the model is built on the artifact's base (its recorded weights path, or --weights"
        + " naming another copy; the SHA-256 must match), the artifact applied, the method"
        + " folded in (--keep-lora as above) and the SavedModel checked against the applied"
        + " model's logits. ART may also be a Hugging Face PEFT LoRA adapter directory: its"
        + " base is its base_model_name_or_path when that is a local directory, else --weights"
        + " (the tensors' shapes are checked; PEFT records no checksum); a CLIPModel adapter"
        + " takes --classes and --template.\n\n"
        + "export --adapter A --adapter B ... --out DIR serves several artifacts made on one base"
        + " (their SHA-256s must be equal) from one SavedModel: the backbone's variables once,"
        + " each adapter's own variables and graph beside them, unmerged (LoRA's paths, masks,"
        + " prompts computed beside the shared weights); a signature per adapter named after"
        + " its directory (images in), and serving_default (images) and serving_bytes"
        + " (image_bytes) taking the adapter's name as the string input 'adapter'. Every"
        + " signature is checked against its adapter's trained graph before the directory"
        + " appears.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    ConfigArgs.add(o);
    o.addOption(Option.builder("w").longOpt("weights").hasArg().argName("PATH")
        .desc("backbone directory or foreign weights").build());
    o.addOption(Option.builder().longOpt("format").hasArg().argName("F")
        .desc("format of --weights (default auto)").build());
    o.addOption(Option.builder("o").longOpt("out").hasArg().argName("DIR")
        .desc("SavedModel directory to write (a run: default RUN_DIR/export)").build());
    o.addOption(Option.builder().longOpt("overwrite").desc("replace an existing DIR").build());
    o.addOption(Option.builder().longOpt("version").hasArg().argName("N")
        .desc("write DIR as a TF Serving model base: the SavedModel goes to DIR/N/ (N >= 1),"
            + " beside the versions already there").build());
    o.addOption(Option.builder().longOpt("checkpoint").hasArg().argName("last|best|PATH")
        .desc("the run's checkpoint to export: last (default), best, an epoch-NNNN name or"
            + " a checkpoint directory").build());
    o.addOption(Option.builder().longOpt("keep-lora")
        .desc("a run with LoRA: keep the low-rank paths instead of merging them").build());
    o.addOption(Option.builder().longOpt("classes").hasArg().argName("FILE|A,B,...")
        .desc("class names (CLIP: required; ViT: names for the head's classes)").build());
    o.addOption(Option.builder().longOpt("template").hasArg().argName("TEXT")
        .desc("CLIP prompt with {} for the class name (repeatable)").build());
    o.addOption(Option.builder().longOpt("normalization").hasArg().argName("N")
        .desc("unit, imagenet or clip (overrides the recorded preprocessing)").build());
    AdapterArtifactArgs.addOptions(o);
    PeftArgs.addOptions(o);
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) throws Exception {
    if (line.hasOption("peft")) {
      return PeftArgs.run(line, console);
    }
    if (line.hasOption("adapter")) {
      return AdapterArtifactArgs.run(line, console);
    }
    if (!line.getArgList().isEmpty()) {
      if (line.getArgList().size() > 1) {
        throw TfpeftException.usage("export takes one RUN_DIR, got " + line.getArgList());
      }
      for (String o : new String[] {"weights", "config", "classes", "template", "format",
          "normalization"}) {
        if (line.hasOption(o)) {
          throw TfpeftException.usage("--" + o + " is for exporting a backbone; a run ("
              + line.getArgList().get(0) + ") brings its own");
        }
      }
      return RunExport.run(line, console, line.getArgList().get(0));
    }
    for (String o : new String[] {"checkpoint", "keep-lora"}) {
      if (line.hasOption(o)) {
        throw TfpeftException.usage("--" + o + " is for exporting a run: give its RUN_DIR");
      }
    }
    if (!line.hasOption("weights") && !line.hasOption("config")) {
      throw TfpeftException.usage("export needs what to serve: a run directory (export"
          + " RUN_DIR), an adapter artifact (export --adapter ART --out DIR) or a backbone"
          + " (export --weights PATH --out DIR); see tfpeft export --help");
    }
    String outArg = line.getOptionValue("out");
    if (outArg == null) {
      throw TfpeftException.usage("export needs --out DIR");
    }
    Path out = savedModelDir(line, Path.of(outArg));
    ModelSource src = ModelSource.of(line);
    ModelConfig model = src.backbone().model();
    boolean clip = model.hasClip();
    int size = BuiltModel.imageSize(model);
    List<String> classes = src.classNames(line);
    int head = src.headClasses();
    if (clip && classes.isEmpty()) {
      throw TfpeftException.usage("a CLIP export classifies among class names: give --classes");
    }
    if (!clip && head == 0) {
      throw TfpeftException.usage("these weights have no classification head (head/head/*); "
          + "export a run, or weights with a head");
    }
    if (!clip && classes.isEmpty()) {
      for (int i = 0; i < head; i++) {
        classes.add("class " + i);
      }
    }
    if (!clip && classes.size() != head) {
      throw TfpeftException.usage("the head has " + head + " classes but " + classes.size()
          + " class names were given");
    }
    TransformConfig preprocess = src.transform(line);
    Preprocess javaPre = Transforms.build(preprocess, size);
    // Held images: photo-like encoded samples at 1.5x the model's size, so that both the
    // decoding and the resize of the bytes path are exercised, plus their Java preprocessing.
    int per = size * size * 3;
    List<byte[]> encoded = new ArrayList<>();
    int n = 4;
    float[] held = new float[n * per];
    SplittableRandom rng = new SplittableRandom(11);
    for (int k = 0; k < n; k++) {
      RgbImage img = sample(size * 3 / 2, size * 3 / 2 + k, rng);
      byte[] png = ImageEncoder.png(img);
      encoded.add(png);
      javaPre.apply(ImageDecoder.decode(png, "sample " + k), rng, held, k * per);
    }
    float[][] reference;
    float[][] classFeatures = null;
    Map<String, float[]> tensors = new LinkedHashMap<>();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 0);
      BuiltModel m = BuiltModel.build(net, model, Math.max(head, 1), false);
      try (Session s = new Session(g)) {
        s.initialize();
        src.backbone().assignTo(s, net);
        tensors.putAll(VariableValues.readAll(s, net.variables()));
        if (clip) {
          classFeatures = ClipClassifier.classFeatures(s, m.clip(), src.tokenizer(), classes,
              src.templates(line), true);
        }
        reference = logits(s, net, m, held, n, size, classFeatures);
      }
    }
    ServingExport.Check check = ServingExport.export(new ServingExport.Model(model, tensors,
        classes, classFeatures, preprocess), out, held, reference, encoded, held);
    console.println(String.format(Locale.ROOT, "wrote %s: %d classes, %.2f MB; checked on %d"
        + " images: max |logit difference| %.2e (limit %.0e); bytes signature vs tfpeft's"
        + " preprocessing: max |logit difference| %.2e", out, classes.size(),
        check.bytesOnDisk() / 1048576.0, check.images(), check.maxAbsDiff(),
        ServingExport.TOLERANCE, check.bytesMaxAbsDiff()));
    return 0;
  }

  /**
   * Where the SavedModel goes: {@code out}, or with {@code --version N} the version directory
   * {@code out/N/} that TF Serving loads from the model base {@code out}.
   *
   * @throws TfpeftException if that directory exists and --overwrite was not given, or N is
   *     not a positive integer
   */
  static Path savedModelDir(CommandLine line, Path out) {
    Path dir = out;
    if (line.hasOption("version")) {
      long v;
      try {
        v = Long.parseLong(line.getOptionValue("version"));
      } catch (NumberFormatException e) {
        v = 0;
      }
      if (v < 1) {
        throw TfpeftException.usage("--version " + line.getOptionValue("version") + ": TF"
            + " Serving's versions are positive integers (1, 2, ...)");
      }
      dir = out.resolve(Long.toString(v));
    }
    if (java.nio.file.Files.exists(dir) && !line.hasOption("overwrite")) {
      throw TfpeftException.usage(dir + " exists; choose another --out"
          + (line.hasOption("version") ? " or --version" : "") + " or pass --overwrite");
    }
    return dir;
  }

  static float[][] logits(Session s, Net net, BuiltModel m, float[] px, int n, int size,
      float[][] classFeatures) {
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, size, size, 3), DataBuffers.of(px));
        GraphControls controls = GraphControls.evaluation();
        TFloat32 cf = classFeatures == null ? null : ClipClassifier.tensor(classFeatures)) {
      var runner = controls.feed(net, s.runner().feed(m.images(), x)).fetch(m.logits());
      if (cf != null) {
        runner.feed(m.clip().classFeatures(), cf);
      }
      try (var r = runner.run()) {
        return ClipClassifier.rows((TFloat32) r.get(0));
      }
    }
  }

  /** Smooth colour fields with a little noise: something a decoder and resampler work on. */
  static RgbImage sample(int w, int h, SplittableRandom rng) {
    byte[] px = new byte[w * h * 3];
    double fx = 1 + rng.nextDouble() * 3;
    double fy = 1 + rng.nextDouble() * 3;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          double v = 128 + 90 * Math.sin(fx * x / w * Math.PI * (c + 1))
              * Math.cos(fy * y / h * Math.PI) + rng.nextInt(16) - 8;
          px[3 * (y * w + x) + c] = (byte) Math.max(0, Math.min(255, (int) v));
        }
      }
    }
    return new RgbImage(w, h, px);
  }
}
