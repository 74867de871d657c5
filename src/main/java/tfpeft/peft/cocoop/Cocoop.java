package tfpeft.peft.cocoop;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.CocoopConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.Init;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterSummary;
import tfpeft.peft.BatchLimit;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;
import tfpeft.peft.prompt.ContextPrompt;

/**
 * CoCoOp in a run: the context {@code peft/cocoop/ctx} [n, D] and the meta-net under
 * {@code peft/cocoop/meta_net/} train (the official code's prompt learner), CLIP stays frozen,
 * and the classifier's class features differ per image ({@link
 * ClassifierKind#IMAGE_CONDITIONED}), so the text tower runs on images x classes prompts and
 * is served with the class prompts' token ids.
 */
public final class Cocoop implements Method {
  public static final String SCOPE = "peft/cocoop/";
  static final String CONTEXT = SCOPE + "ctx";
  /** The text tower's pretrained token embeddings, which a phrase initializes from. */
  static final String TOKEN_EMBEDDING = "backbone/text/token_embedding";
  /** Random context vectors start from N(0, 0.02^2), as the official code draws them. */
  static final float INIT_STD = 0.02f;

  private final CocoopConfig config;

  public Cocoop(MethodConfig c) {
    this.config = c.getCocoop();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.COCOOP;
  }

  /** The class prompt: the context slots, then the class name and "." (CoOp's, end position). */
  ContextPrompt prompt(MethodContext ctx) {
    int[] phrase = phraseIds(ctx);
    int n = config.getNCtx() > 0 ? config.getNCtx() : phrase.length;
    if (phrase.length > n) {
      throw TfpeftException.usage("method.cocoop.init: \"" + config.getInit() + "\" is "
          + phrase.length + " tokens, more than method.cocoop.n_ctx = " + n + "; shorten the"
          + " phrase or raise n_ctx (0 takes the phrase's length)");
    }
    return new ContextPrompt(ctx.tokenizer(), ctx.config().getModel().getClip()
        .getContextLength(), n, config.getInit());
  }

  private int[] phraseIds(MethodContext ctx) {
    return config.getInit().isBlank() ? new int[0] : ctx.tokenizer().encode(config.getInit());
  }

  /**
   * Its own prompt ("a photo of a {}." for the paper's phrase) unless model.clip.templates are
   * given; each of those must hold the n context tokens before the class name.
   */
  @Override
  public List<String> templates(MethodContext ctx, List<String> templates) {
    ContextPrompt prompt = prompt(ctx);
    List<String> given = ctx.config().getModel().getClip().getTemplatesList();
    if (given.isEmpty()) {
      return List.of(prompt.template());
    }
    for (String t : given) {
      int slots = ContextPrompt.slotsOf(ctx.tokenizer(), t);
      if (!t.contains("{}") || slots < prompt.length()) {
        throw TfpeftException.usage("model.clip.templates: \"" + t + "\" puts the class name "
            + "after " + slots + " tokens, but method.cocoop replaces the first "
            + prompt.length() + " with its context; set model.clip.templates: \""
            + prompt.template() + "\" (or leave the templates out to get that one)");
      }
    }
    return given;
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ClassifierKind.IMAGE_CONDITIONED;
  }

  @Override
  public Operand<TFloat32> imageConditionedLogits(MethodContext ctx,
      Operand<TFloat32> imageFeatures, Operand<TInt32> classIds, int templates) {
    ClipConfig clip = ctx.config().getModel().getClip();
    ClipModel.Spec spec = ClipModel.spec(clip);
    int n = prompt(ctx).length();
    Operand<TFloat32> context = ctx.net().variable(CONTEXT, new long[] {n, clip.getTextWidth()},
        contextInit(ctx, clip.getTextWidth())).value();
    return ConditionedPrompts.logits(ctx.net(), spec, imageFeatures, context, classIds,
        templates, config.getMetaNetRatio());
  }

  /**
   * The phrase's pretrained token embeddings lead (the official ctx_init), the rest N(0,
   * 0.02^2); without pretrained weights the phrase means nothing and all start random.
   */
  private Init contextInit(MethodContext ctx, int width) {
    int[] phrase = phraseIds(ctx);
    if (phrase.length == 0 || ctx.config().getModel().getWeights().getPath().isEmpty()) {
      return Init.normal(INIT_STD);
    }
    ClipConfig clip = ctx.config().getModel().getClip();
    float[] table = ctx.pretrained(TOKEN_EMBEDDING);
    if (table == null || table.length != (long) clip.getVocabSize() * width) {
      throw TfpeftException.usage("model.weights.path: " + ctx.config().getModel().getWeights()
          .getPath() + " has no token embedding table of " + clip.getVocabSize() + " x "
          + width + " (model.clip.vocab_size x text_width) to initialize the context from");
    }
    float[] leading = new float[phrase.length * width];
    for (int i = 0; i < phrase.length; i++) {
      System.arraycopy(table, phrase[i] * width, leading, i * width, width);
    }
    return new Init.WithLeading(leading, Init.normal(INIT_STD));
  }

  /** Images x classes prompts per graph call, at most max_prompts. */
  @Override
  public Optional<BatchLimit> batchLimit(RunConfig run, int classes) {
    return Optional.of(new BatchLimit(config.getMaxPrompts() / classes, String.format(
        Locale.ROOT, "method.cocoop.max_prompts = %d class prompts per graph call, the bound on"
        + " the text tower's memory; each image has its own %d", config.getMaxPrompts(),
        classes)));
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(SCOPE);
  }

  /** The context and meta-net condition CLIP's text classifier. */
  @Override
  public boolean needsClip() {
    return true;
  }

  /**
   * The meta-net's ratio divides the image feature's width; n_ctx 0 needs a phrase to take its
   * length from; one class prompt per class (the official code's; CLIP's template averaging
   * would multiply the text tower's work); a batch whose prompts exceed max_prompts with a
   * single class is refused here (with the run's classes, once its data is read).
   */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    if (!run.getModel().hasClip()) {
      return;
    }
    ClipConfig clip = run.getModel().getClip();
    problems.divides("method.cocoop.meta_net_ratio", config.getMetaNetRatio(),
        "model.clip.embed_dim", clip.getEmbedDim());
    if (config.getNCtx() == 0 && config.getInit().isBlank()) {
      throw problems.at("method.cocoop.n_ctx", "0 takes the length of method.cocoop.init, which"
          + " is empty; set n_ctx (the paper's 4) or an init phrase");
    }
    // the start token, the context, at least one name token and the end token
    problems.atMost("method.cocoop.n_ctx", config.getNCtx(), "model.clip.context_length - 3",
        clip.getContextLength() - 3);
    if (clip.getTemplatesCount() > 1) {
      throw problems.at("model.clip.templates", clip.getTemplatesCount() + " templates, but"
          + " method.cocoop has one prompt per class (its context, then the class name); give"
          + " one template, or none to take \"a photo of a {}.\"");
    }
    for (String field : List.of("training.batch_size", "eval.batch_size")) {
      int batch = field.startsWith("training") ? run.getTraining().getBatchSize()
          : run.getEval().getBatchSize();
      if (batch > config.getMaxPrompts()) {
        throw problems.at(field, batch + " images already exceed method.cocoop.max_prompts = "
            + config.getMaxPrompts() + " class prompts per graph call (the text tower's memory"
            + " bound) with a single class; the largest batch that fits is max_prompts /"
            + " classes");
      }
    }
  }

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** The context and the meta-net (the official code's prompt learner), in float32. */
  @Override
  public StoredTensor stored(String variable) {
    return StoredTensor.float32(StoredTensor.Role.PROMPT);
  }

  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    return Optional.empty();
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return AdapterSummary.headOrOwn(this, variable);
  }

  /** The context's shape, the meta-net's widths and parameters, and the stored size. */
  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    long metaNet = 0;
    JsonObject context = new JsonObject();
    JsonObject meta = new JsonObject();
    for (var e : trained.trained().entrySet()) {
      if (e.getKey().equals(CONTEXT)) {
        out.line("  context " + e.getKey() + " " + NamedTensor.formatShape(e.getValue())
            + " [tokens, width]");
        context.add(e.getKey(), InspectSummary.shape(e.getValue()));
      } else if (e.getKey().startsWith(MetaNet.SCOPE)) {
        metaNet += NamedTensor.elementCount(e.getValue());
        meta.add(e.getKey(), InspectSummary.shape(e.getValue()));
      }
    }
    out.put("context", context);
    out.put("meta_net", meta);
    long[] first = trained.trained().get(MetaNet.SCOPE + "linear1/weight");
    if (first != null) {
      out.line(String.format(Locale.ROOT, "  meta-net: Linear(%d, %d) - ReLU - Linear(%d, %d),"
          + " %,d parameters", first[0], first[1], first[1],
          trained.trained().get(MetaNet.SCOPE + "linear2/weight")[1], metaNet));
    }
    out.json().addProperty("meta_net_parameters", metaNet);
    AdapterSummary.stateStorage(out, this, trained.trained(),
        "float32 context and meta-net");
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "the context and meta-net kept in the served graph";
  }
}
