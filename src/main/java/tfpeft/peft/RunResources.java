package tfpeft.peft;

import com.google.gson.JsonObject;
import java.util.function.Function;
import java.util.function.Supplier;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.data.Dataset;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;
import tfpeft.model.text.ClipTokenizer;
import tfpeft.model.text.RunTokenizer;

/**
 * What a run holds besides its graph, for a method to read while the graph is built: the CLIP
 * tokenizer (loaded on first use), the pretrained values the run starts from, and the sampled
 * dataset. A method reads them here rather than loading the weights or the data a second time.
 */
public final class RunResources {
  private final Supplier<ClipTokenizer> tokenizers;
  private final Function<String, float[]> pretrained;
  private final Dataset dataset;
  private final JsonObject methodState;
  private ClipTokenizer tokenizer;

  /**
   * @param tokenizers makes the run's tokenizer (called at most once)
   * @param pretrained a backbone variable's pretrained value by name, null when the run has none
   * @param dataset the run's dataset, or null where none is loaded
   */
  public RunResources(Supplier<ClipTokenizer> tokenizers, Function<String, float[]> pretrained,
      Dataset dataset) {
    this(tokenizers, pretrained, dataset, null);
  }

  private RunResources(Supplier<ClipTokenizer> tokenizers, Function<String, float[]> pretrained,
      Dataset dataset, JsonObject methodState) {
    this.tokenizers = tokenizers;
    this.pretrained = pretrained;
    this.dataset = dataset;
    this.methodState = methodState;
  }

  /**
   * The same resources with the method state the run opens with (a checkpoint's or an adapter
   * artifact's, {@link tfpeft.peft.Method#saveState}), which the method reads while its graph is
   * built through {@link #methodState()}.
   */
  public RunResources withMethodState(JsonObject state) {
    RunResources r = new RunResources(tokenizers, pretrained, dataset, state);
    r.tokenizer = tokenizer;
    return r;
  }

  /**
   * For a graph built outside a run: the tokenizer of model.clip.tokenizer, else of the
   * weights' vocabulary; pretrained values read from model.weights (the file's own
   * architecture) on first use; no dataset.
   */
  public static RunResources of(RunConfig config) {
    WeightsConfig w = config.getModel().getWeights();
    if (w.getPath().isEmpty()) {
      return new RunResources(() -> RunTokenizer.of(config, null), name -> null, null);
    }
    LoadedBackbone[] loaded = new LoadedBackbone[1];
    Supplier<LoadedBackbone> weights = () -> {
      synchronized (loaded) {
        if (loaded[0] == null) {
          loaded[0] = Backbones.load(w, null);
        }
        return loaded[0];
      }
    };
    return new RunResources(() -> RunTokenizer.of(config, config.getModel().getClip()
        .getTokenizer().isEmpty() ? weights.get().vocab() : null),
        name -> weights.get().tensors().get(name), null);
  }

  /** The run's CLIP tokenizer; a usage error when the run has no vocabulary. */
  public synchronized ClipTokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer = tokenizers.get();
    }
    return tokenizer;
  }

  /** The pretrained value of variable {@code name} ("backbone/text/token_embedding"), or null. */
  public float[] pretrained(String name) {
    return pretrained.apply(name);
  }

  /**
   * The method state the run opens with, or null for a fresh run: for a method whose variables'
   * shapes follow from its state where no dataset is loaded (Tip-Adapter-F's cache size when an
   * adapter artifact is applied to its base). {@link tfpeft.peft.Method#restoreState} still
   * follows the build.
   */
  public JsonObject methodState() {
    return methodState;
  }

  /** The sampled dataset, or null. */
  public Dataset dataset() {
    return dataset;
  }
}
