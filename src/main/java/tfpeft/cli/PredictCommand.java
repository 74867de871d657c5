package tfpeft.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
import tfpeft.api.Predictor;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.TransformConfig;
import tfpeft.data.Transforms;
import tfpeft.model.BuiltModel;
import tfpeft.model.ClipClassifier;
import tfpeft.model.Net;
import tfpeft.export.ServingExport;
import tfpeft.model.weights.NpyWriter;

/**
 * {@code tfpeft predict}: a model on image files or on preprocessed images, top-k classes printed,
 * raw logits or features written on request.
 */
final class PredictCommand implements Command {
  @Override
  public String name() {
    return "predict";
  }

  @Override
  public String summary() {
    return "classify images with a model and print top-k";
  }

  @Override
  public String usage() {
    return "predict (--weights PATH | --config FILE) INPUT... [--top-k K] [--classes NAMES] "
        + "[--out FILE.npy] [--features]"
        + "\n       tfpeft predict --run RUN_DIR [--checkpoint last|best|PATH] INPUT... [--top-k K]"
        + " [--out FILE.npy]"
        + "\n       tfpeft predict --adapter ART [--weights BASE] INPUT... [--top-k K]"
        + " [--out FILE.npy]";
  }

  @Override
  public String description() {
    return "INPUT is image files and directories (searched for .jpg/.jpeg/.png in sorted order),"
        + " or one .npy of images already preprocessed, float32 [N, H, W, 3]. The model is a"
        + " backbone given by --weights (a tfpeft backbone directory such as"
        + " checkpoints/pretrained/clip-small, or foreign weights in any format 'tfpeft import'"
        + " reads) or the model of a run config. Images are resized (short side) and center-cropped"
        + " to the model's size and normalized as the backbone records in preprocess.pbtxt (the"
        + " config's data.eval_transform with --config; CLIP statistics for CLIP, [0, 1]"
        + " otherwise), unless --normalization says otherwise. A ViT needs weights with a"
        + " classification head for logits; CLIP classifies zero-shot among --classes with the"
        + " --template prompts. --out writes the logits, or with --features the image features, as"
        + " .npy. --weights may also name a SavedModel written by tfpeft export (a trained run, an"
        + " adapter artifact or a backbone): it brings its own preprocessing and class names.\n\n"
        + "--run RUN_DIR predicts with a trained run without exporting it: its graph is rebuilt"
        + " from its config and restored from the checkpoint (default last), its method as"
        + " trained; --adapter ART with an adapter artifact on its base (the path it records,"
        + " or --weights naming a copy; the SHA-256 must match). Both take the run's evaluation"
        + " preprocessing and class names, and give the logits the SavedModel of tfpeft export"
        + " would give.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    ConfigArgs.add(o);
    o.addOption(Option.builder("w").longOpt("weights").hasArg().argName("PATH")
        .desc("backbone directory, foreign weight file/directory, or a SavedModel of tfpeft"
            + " export").build());
    o.addOption(Option.builder().longOpt("format").hasArg().argName("F")
        .desc("format of --weights: auto (default), tfpeft, safetensors, google_npz, openai_clip")
        .build());
    o.addOption(Option.builder("k").longOpt("top-k").hasArg().argName("K")
        .desc("classes printed per image (default 5)").build());
    o.addOption(Option.builder().longOpt("classes").hasArg().argName("FILE|A,B,...")
        .desc("class names: a file with one per line, or a comma-separated list").build());
    o.addOption(Option.builder().longOpt("template").hasArg().argName("TEXT")
        .desc("CLIP prompt with {} for the class name (repeatable; default \""
            + ClipClassifier.DEFAULT_TEMPLATE + "\")").build());
    o.addOption(Option.builder().longOpt("features").desc("write image features instead of"
        + " logits to --out (CLIP: projected; ViT: the pooled representation)").build());
    o.addOption(Option.builder("o").longOpt("out").hasArg().argName("FILE.npy")
        .desc("write the logits [N, C] (or features [N, D]) as float32 .npy").build());
    o.addOption(Option.builder().longOpt("normalization").hasArg().argName("N")
        .desc("unit, imagenet or clip (overrides the recorded preprocessing)").build());
    o.addOption(Option.builder().longOpt("batch").hasArg().argName("N")
        .desc("images per forward pass (default 32)").build());
    o.addOption(Option.builder().longOpt("json").desc("one JSON object per image").build());
    o.addOption(Option.builder().longOpt("run").hasArg().argName("RUN_DIR")
        .desc("predict with a trained run's checkpoint").build());
    o.addOption(Option.builder().longOpt("checkpoint").hasArg().argName("last|best|PATH")
        .desc("with --run: the checkpoint (default last)").build());
    o.addOption(Option.builder().longOpt("adapter").hasArg().argName("ART")
        .desc("predict with an adapter artifact on its base (--weights BASE: a copy of it)")
        .build());
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) throws IOException {
    boolean features = line.hasOption("features");
    int topK = OptionValues.integer(line, "top-k", 5, 1);
    int batch = OptionValues.integer(line, "batch", 32, 1);
    if (features && line.getOptionValue("out") == null) {
      throw TfpeftException.usage("--features writes to --out FILE.npy; name the file");
    }
    if (line.hasOption("run") || line.hasOption("adapter")) {
      return trained(line, console, topK, batch);
    }
    if (line.hasOption("checkpoint")) {
      throw TfpeftException.usage("--checkpoint names a checkpoint of --run RUN_DIR; give the"
          + " run");
    }
    String weightsArg = line.getOptionValue("weights");
    Path savedModel = weightsArg == null ? null : ServingExport.savedModelIn(Path.of(weightsArg));
    if (savedModel != null) {
      if (!savedModel.equals(Path.of(weightsArg))) {
        console.info(weightsArg + " is a TF Serving model base: predicting with its latest"
            + " version, " + savedModel);
      }
      return savedModel(line, console, savedModel, topK, batch);
    }
    ModelSource src = ModelSource.of(line);
    ModelConfig model = src.backbone().model();
    int size = BuiltModel.imageSize(model);
    TransformConfig transform = src.transform(line);
    PredictInputs inputs = PredictInputs.read(line.getArgList(), size,
        Transforms.build(transform, size));
    boolean clip = model.hasClip();
    List<String> classes = src.classNames(line);
    int headClasses = src.headClasses();
    if (!features) {
      if (clip && classes.isEmpty()) {
        throw TfpeftException.usage("CLIP classifies among class names: give --classes (a file"
            + " or a comma-separated list), or --features to write image features");
      }
      if (!clip && headClasses == 0) {
        throw TfpeftException.usage("these weights have no classification head (head/head/*);"
            + " use --features --out FILE.npy for the pooled features, or weights with a head");
      }
      if (!clip && !classes.isEmpty() && classes.size() != headClasses) {
        throw TfpeftException.usage("the head has " + headClasses + " classes but "
            + classes.size() + " class names were given");
      }
    }
    if (!clip && classes.isEmpty()) {
      for (int i = 0; i < headClasses; i++) {
        classes.add("class " + i);
      }
    }
    float[][] out;
    try (Graph g = new Graph()) {
      Net net = new Net(g, 0);
      BuiltModel m = BuiltModel.build(net, model, Math.max(headClasses, 1), false);
      try (Session s = new Session(g)) {
        s.initialize();
        src.backbone().assignTo(s, net);
        TFloat32 classFeatures = null;
        if (clip && !features) {
          classFeatures = ClipClassifier.tensor(ClipClassifier.classFeatures(s, m.clip(),
              src.tokenizer(), classes, src.templates(line), true));
        }
        try {
          out = forward(s, net, m, inputs, batch, features, classFeatures);
        } finally {
          if (classFeatures != null) {
            classFeatures.close();
          }
        }
      }
    }
    if (line.hasOption("out")) {
      writeNpy(console, Path.of(line.getOptionValue("out")), out, features);
    }
    if (!features) {
      print(console, inputs.names(), out, classes, topK, line.hasOption("json"));
    }
    return 0;
  }

  /**
   * {@code --run RUN_DIR} or {@code --adapter ART}: a trained model without exporting it, its
   * preprocessing and class names its run's.
   */
  private static int trained(CommandLine line, Console console, int topK, int batch) {
    boolean run = line.hasOption("run");
    if (run && line.hasOption("adapter")) {
      throw TfpeftException.usage("give --run RUN_DIR or --adapter ART, not both");
    }
    String form = run ? "--run" : "--adapter";
    for (String o : new String[] {"config", "features", "classes", "template", "format",
        "normalization", run ? "weights" : "checkpoint"}) {
      if (line.hasOption(o)) {
        throw TfpeftException.usage("--" + o + " does not apply to predict " + form + ": the "
            + (run ? "run" : "artifact") + " brings its model, classes and preprocessing"
            + (run ? "" : "; --checkpoint is for --run") + "; leave it out");
      }
    }
    String weights = line.getOptionValue("weights");
    try (Predictor p = run
        ? Predictor.ofRun(Path.of(line.getOptionValue("run")),
            line.getOptionValue("checkpoint", "last"))
        : Predictor.ofArtifact(Path.of(line.getOptionValue("adapter")),
            weights == null ? null : Path.of(weights), console::info)) {
      int size = p.imageSize();
      PredictInputs inputs = PredictInputs.read(line.getArgList(), size,
          Transforms.build(p.preprocessing(), size));
      int per = size * size * 3;
      float[][] out = new float[inputs.count()][];
      for (int start = 0; start < inputs.count(); start += batch) {
        int k = Math.min(batch, inputs.count() - start);
        System.arraycopy(p.logits(Arrays.copyOfRange(inputs.pixels(), start * per,
            (start + k) * per), k), 0, out, start, k);
      }
      if (line.hasOption("out")) {
        writeNpy(console, Path.of(line.getOptionValue("out")), out, false);
      }
      print(console, inputs.names(), out, p.classNames(), topK, line.hasOption("json"));
      return 0;
    }
  }

  /** A SavedModel from tfpeft export: its own preprocessing and class names. */
  private static int savedModel(CommandLine line, Console console, Path dir, int topK,
      int batch) throws IOException {
    if (line.hasOption("features")) {
      throw TfpeftException.usage("a SavedModel gives logits, not features; drop --features");
    }
    try (ServingExport.Served m = ServingExport.open(dir)) {
      TransformConfig.Builder t = m.preprocess().toBuilder();
      String n = line.getOptionValue("normalization");
      if (n != null) {
        t.setNormalization(ModelSource.normalization(n));
      }
      PredictInputs inputs = PredictInputs.read(line.getArgList(), m.size(),
          Transforms.build(t.build(), m.size()));
      int per = m.size() * m.size() * 3;
      float[][] out = new float[inputs.count()][];
      for (int start = 0; start < inputs.count(); start += batch) {
        int k = Math.min(batch, inputs.count() - start);
        float[][] rows = m.logits(Arrays.copyOfRange(inputs.pixels(), start * per,
            (start + k) * per), k);
        System.arraycopy(rows, 0, out, start, k);
      }
      List<String> classes = new ArrayList<>(m.classNames());
      while (classes.size() < out[0].length) {
        classes.add("class " + classes.size());
      }
      if (line.hasOption("out")) {
        writeNpy(console, Path.of(line.getOptionValue("out")), out, false);
      }
      print(console, inputs.names(), out, classes, topK, line.hasOption("json"));
      return 0;
    }
  }

  private static void writeNpy(Console console, Path file, float[][] out, boolean features) {
    float[] flat = new float[out.length * out[0].length];
    for (int i = 0; i < out.length; i++) {
      System.arraycopy(out[i], 0, flat, i * out[0].length, out[0].length);
    }
    NpyWriter.write(file, new long[] {out.length, out[0].length}, flat);
    console.info("wrote " + (features ? "features" : "logits") + " [" + out.length + ", "
        + out[0].length + "] to " + file);
  }

  private static float[][] forward(Session s, Net net, BuiltModel m, PredictInputs in, int batch,
      boolean features, TFloat32 classFeatures) {
    int per = in.size() * in.size() * 3;
    float[][] out = new float[in.count()][];
    try (GraphControls controls = GraphControls.evaluation()) {
      for (int start = 0; start < in.count(); start += batch) {
        int n = Math.min(batch, in.count() - start);
        float[] px = Arrays.copyOfRange(in.pixels(), start * per, (start + n) * per);
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, in.size(), in.size(), 3),
            DataBuffers.of(px))) {
          var runner = controls.feed(net, s.runner().feed(m.images(), x))
              .fetch(features ? m.features() : m.logits());
          if (classFeatures != null) {
            runner.feed(m.clip().classFeatures(), classFeatures);
          }
          try (var r = runner.run()) {
            float[][] rows = ClipClassifier.rows((TFloat32) r.get(0));
            System.arraycopy(rows, 0, out, start, n);
          }
        }
      }
    }
    return out;
  }

  private static void print(Console console, List<String> names, float[][] logits,
      List<String> classes, int topK, boolean json) {
    int k = Math.min(topK, classes.size());
    for (int i = 0; i < logits.length; i++) {
      double[] p = softmax(logits[i]);
      Integer[] order = new Integer[p.length];
      for (int c = 0; c < p.length; c++) {
        order[c] = c;
      }
      Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
      StringBuilder sb = new StringBuilder();
      if (json) {
        sb.append("{\"input\": ").append(quote(names.get(i))).append(", \"top\": [");
        for (int j = 0; j < k; j++) {
          sb.append(j == 0 ? "" : ", ").append("{\"class\": ").append(order[j])
              .append(", \"name\": ").append(quote(classes.get(order[j])))
              .append(String.format(java.util.Locale.ROOT, ", \"probability\": %.6f}",
                  p[order[j]]));
        }
        sb.append("]}");
      } else {
        sb.append(names.get(i)).append(':');
        for (int j = 0; j < k; j++) {
          sb.append(String.format(java.util.Locale.ROOT, "  %s %.3f", classes.get(order[j]),
              p[order[j]]));
        }
      }
      console.println(sb.toString());
    }
  }

  static double[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] p = new double[logits.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp(logits[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  private static String quote(String s) {
    return new com.google.gson.Gson().toJson(s);
  }
}
