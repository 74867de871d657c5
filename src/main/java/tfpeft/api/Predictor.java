package tfpeft.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.TransformConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.data.Preprocess;
import tfpeft.data.Transforms;
import tfpeft.data.image.ImageDecoder;
import tfpeft.export.AdapterArtifact;
import tfpeft.export.RunModel;
import tfpeft.model.BuiltModel;
import tfpeft.model.imports.Backbones;
import tfpeft.model.text.RunTokenizer;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.MethodRegistry;
import tfpeft.train.ClassPrompts;
import tfpeft.train.RunDirectory;
import tfpeft.train.RunSession;
import tfpeft.train.checkpoint.CheckpointStore;

/**
 * A trained classifier opened for prediction, without exporting it: an adapter artifact applied
 * to its base ({@link #ofArtifact}), or a run's checkpoint ({@link #ofRun}). It computes as the
 * run evaluated (no dropout, no drop path; the method's hooks as trained), so its logits are
 * those of the SavedModel {@code tfpeft export} would write from the same artifact or checkpoint.
 *
 * <pre>{@code
 * try (Predictor p = Predictor.ofArtifact(Path.of("my-adapter"))) {
 *   for (Predictor.Prediction x : p.predict(List.of(Path.of("cat.jpg")))) {
 *     System.out.println(x.input() + ": " + x.className() + " " + x.probability());
 *   }
 * }
 * }</pre>
 *
 * <p>Not thread-safe; close it to release the TensorFlow session. Bad input (a missing file, an
 * artifact of another base, an image that does not decode) is a {@link TfpeftException} saying
 * what to do; nothing here ends the JVM.
 */
public final class Predictor implements AutoCloseable {
  private final RunSession session;
  private final RunModel model;
  private final Preprocess preprocess;
  private final TransformConfig transform;
  private final int size;

  private Predictor(RunSession session, RunModel model, RunConfig config) {
    this.session = session;
    this.model = model;
    this.size = BuiltModel.imageSize(config.getModel());
    this.transform = config.getData().getEvalTransform().toBuilder().setSize(0).build();
    this.preprocess = Transforms.build(transform, size);
  }

  /**
   * An adapter artifact ({@code tfpeft export RUN --adapter DIR}) on the base it records.
   *
   * @param artifact the artifact directory
   * @throws TfpeftException if the artifact is damaged or its base is not where it records
   */
  public static Predictor ofArtifact(Path artifact) {
    return ofArtifact(artifact, null, m -> { });
  }

  /**
   * An adapter artifact on a copy of its base.
   *
   * @param artifact the artifact directory
   * @param base the base's weights (a tfpeft backbone directory or foreign weights), or null for
   *     the path the artifact records; its SHA-256 must be the artifact's base's
   * @param log receives what opening it says (where the base came from)
   */
  public static Predictor ofArtifact(Path artifact, Path base, Consumer<String> log) {
    AdapterArtifact a = AdapterArtifact.read(artifact);
    RunSession s = a.openOnBase(base == null ? null : base.toString(), MethodRegistry.builtIn(),
        log, artifact);
    return new Predictor(s, null, s.config());
  }

  /**
   * A run's checkpoint with its method's state, as {@code tfpeft export RUN} reads it; a run on
   * pretrained weights reads its frozen backbone from its base (model.weights), whose SHA-256
   * must be the one the checkpoint records.
   *
   * @param run the run directory
   * @param checkpoint {@code last}, {@code best}, an epoch-NNNN name or a checkpoint directory
   * @throws TfpeftException if {@code run} is no run, the checkpoint does not exist, or the
   *     class names cannot be found (neither the run's report nor its data)
   */
  public static Predictor ofRun(Path run, String checkpoint) {
    RunDirectory dir = RunDirectory.existing(run, "predict with a backbone or an exported"
        + " SavedModel through --weights PATH");
    RunConfig config = dir.placedConfig(List.of());
    CheckpointStore.Checkpoint c = dir.checkpointOf(checkpoint, config);
    TensorFile values = dir.modelVariables(c, "predict");
    Supplier<Dataset> data = new Supplier<>() {
      private Dataset loaded;

      @Override
      public Dataset get() {
        if (loaded == null) {
          loaded = DataSources.read(config.getData(), config.getSeed(), new BadExamples(true,
              m -> { }));
        }
        return loaded;
      }
    };
    List<String> reported = dir.reportedClasses();
    List<String> classes = reported != null ? reported : data.get().classNames();
    Supplier<ClassPrompts> prompts = () -> prompts(config, classes, c.templates(), data);
    RunModel m = RunModel.open(config, MethodRegistry.builtIn(), c, classes, prompts, values);
    return new Predictor(null, m, config);
  }

  /** The class prompts of a CLIP run as its trainer made them (the recorded templates first). */
  private static ClassPrompts prompts(RunConfig c, List<String> classes, List<String> recorded,
      Supplier<Dataset> data) {
    var clip = c.getModel().getClip();
    List<String> templates = recorded != null ? recorded : ClassPrompts.templates(c,
        clip.getTemplatesCount() > 0 ? List.of() : data.get().templates());
    Path vocab = null;
    if (clip.getTokenizer().isEmpty() && !c.getModel().getWeights().getPath().isEmpty()) {
      vocab = Backbones.load(c.getModel().getWeights(), null).vocab();
    }
    return ClassPrompts.of(RunTokenizer.of(c, vocab), classes, templates,
        clip.getContextLength());
  }

  /** The class names, in the order of the logits. */
  public List<String> classNames() {
    return model != null ? model.classNames() : session.classNames();
  }

  /** The side S of the square images {@link #logits} takes. */
  public int imageSize() {
    return size;
  }

  /** The preprocessing {@link #predict} applies: the run's evaluation transform. */
  public TransformConfig preprocessing() {
    return transform;
  }

  /**
   * Logits of preprocessed images.
   *
   * @param images {@code n} images, row-major [n, S, S, 3], as {@link #pixels} makes them
   * @return [n][classes]
   */
  public float[][] logits(float[] images, int n) {
    int per = size * size * 3;
    if (n < 1 || images.length != n * per) {
      throw TfpeftException.usage("logits of " + n + " images of " + size + "x" + size + "x3"
          + " take " + (long) n * per + " floats, got " + images.length);
    }
    return model != null ? model.logits(images, n) : session.logits(images, n);
  }

  /**
   * Image files (JPEG, PNG) decoded and preprocessed as the run evaluated: row-major
   * [files, S, S, 3].
   */
  public float[] pixels(List<Path> files) {
    int per = size * size * 3;
    float[] px = new float[files.size() * per];
    SplittableRandom rng = new SplittableRandom(0);
    for (int i = 0; i < files.size(); i++) {
      preprocess.apply(ImageDecoder.decode(files.get(i)), rng, px, i * per);
    }
    return px;
  }

  /** Classifies image files, in batches of at most 32. */
  public List<Prediction> predict(List<Path> files) {
    List<Prediction> out = new ArrayList<>();
    int per = size * size * 3;
    for (int from = 0; from < files.size(); from += 32) {
      List<Path> batch = files.subList(from, Math.min(files.size(), from + 32));
      float[][] rows = logits(pixels(batch), batch.size());
      for (int i = 0; i < rows.length; i++) {
        out.add(Prediction.of(batch.get(i).toString(), rows[i], classNames()));
      }
    }
    return out;
  }

  /**
   * One image's prediction.
   *
   * @param input the image's path
   * @param classId the most probable class
   * @param className its name
   * @param probability its softmax probability
   * @param logits every class's logit
   */
  public record Prediction(String input, int classId, String className, double probability,
      float[] logits) {
    static Prediction of(String input, float[] logits, List<String> classes) {
      double max = Double.NEGATIVE_INFINITY;
      int best = 0;
      for (int c = 0; c < logits.length; c++) {
        if (logits[c] > max) {
          max = logits[c];
          best = c;
        }
      }
      double sum = 0;
      for (float v : logits) {
        sum += Math.exp(v - max);
      }
      return new Prediction(input, best, classes.get(best), 1 / sum,
          Arrays.copyOf(logits, logits.length));
    }
  }

  @Override
  public void close() {
    if (model != null) {
      model.close();
    }
    if (session != null) {
      session.close();
    }
  }
}
