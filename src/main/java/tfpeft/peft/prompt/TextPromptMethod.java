package tfpeft.peft.prompt;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;
import tfpeft.config.proto.ClassTokenPosition;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.CoopConfig;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.MudptConfig;
import tfpeft.config.proto.RunConfig;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.model.ClipModel;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.text.ClipTokenizer;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterSummary;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.InspectSummary;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.TrainedState;

/**
 * A method whose learned context takes the place of tokens in the class prompts, in a run:
 * CoOp (the context under {@code peft/coop/}) and MuDPT or MaPLe-style coupling (text and visual
 * prompts and the Injection Model under {@code peft/mudpt/}). Only the prompts train, CLIP stays
 * frozen, and the class features are computed by the text tower every step so that the loss
 * reaches the context. The two differ only in how their prompts are built.
 *
 * <p>A method that trains CoOp's context with something more (KgCoOp's loss term, ProGrad's
 * gradient rule) extends this class through the CoOp constructor
 * {@link #TextPromptMethod(MethodConfig.MethodCase, CoopConfig, String)}: CoOp's context
 * (with CSC and the class name's position) under its own variable prefix, its CoOp fields
 * checked where its config holds them.
 */
public class TextPromptMethod implements Method {
  /** Builds a method's prompts and the hooks that place them. */
  interface Prompts {
    PromptSetup build(Net net, ClipModel.Spec spec, ClipTokenizer tokenizer, float[] tokenTable);
  }

  private final MethodConfig.MethodCase kind;
  private final String init;
  private final Prompts prompts;
  private final BiConsumer<RunConfig, ConfigProblems> check;
  /** MuDPT's Injection Model form; null for CoOp, which has none. */
  private final InjectionKind injection;
  /** The CoOp context's config and where it is in the run config; null for MuDPT. */
  private final CoopConfig coop;
  private final String field;
  private ContextPrompt prompt;
  /** The CoOp context's hooks, which a subclass may switch off; null for MuDPT. */
  private PromptGate gate;

  private TextPromptMethod(MethodConfig.MethodCase kind, String init, Prompts prompts,
      BiConsumer<RunConfig, ConfigProblems> check, InjectionKind injection) {
    this.kind = kind;
    this.init = init;
    this.prompts = prompts;
    this.check = check;
    this.injection = injection;
    this.coop = null;
    this.field = null;
  }

  /**
   * A method of config member {@code kind} that trains CoOp's context {@code c} under its own
   * variable prefix ({@code peft/<member>/ctx}).
   *
   * @param field where {@code c} is in the run config ("method.coop", "method.kgcoop.prompt")
   */
  protected TextPromptMethod(MethodConfig.MethodCase kind, CoopConfig c, String field) {
    this.kind = kind;
    this.init = c.getInit();
    this.prompts = null;
    this.check = (run, problems) -> checkCoop(c, field, run, problems,
        kind == MethodConfig.MethodCase.COOP);
    this.injection = null;
    this.coop = c;
    this.field = field;
  }

  /** CoOp itself. */
  public static TextPromptMethod coop(CoopConfig c) {
    return new TextPromptMethod(MethodConfig.MethodCase.COOP, c, CoopPrompts.FIELD);
  }

  static TextPromptMethod mudpt(MudptConfig c) {
    return new TextPromptMethod(MethodConfig.MethodCase.MUDPT, c.getInit(),
        (net, spec, tokenizer, table) -> MudptPrompts.build(net, spec, c, tokenizer, table),
        (run, problems) -> checkMudpt(c, run, problems), c.getInjection());
  }

  /**
   * CoOp's fields at {@code field}: deep text prompts enter blocks up to the text tower's depth;
   * a context per class or the name before or inside the context are depth 1 (CoOp's); a
   * context per class has nothing for classes it never saw (base-to-new); and where the run's
   * templates are the prompts ({@code templatesArePrompts}, CoOp), the name's place past the
   * end is the method's own prompt, which given templates would contradict.
   */
  public static void checkCoop(CoopConfig c, String field, RunConfig run,
      ConfigProblems problems, boolean templatesArePrompts) {
    if (run.getModel().hasClip()) {
      problems.atMost(field + ".depth", c.getDepth(), "model.clip.text_depth",
          run.getModel().getClip().getTextDepth());
    }
    boolean moved = c.getClassTokenPosition() != ClassTokenPosition.END;
    if (c.getDepth() > 1 && (c.getCsc() || moved)) {
      throw problems.at(field + ".depth", c.getDepth() + " with " + (c.getCsc()
          ? field + ".csc" : field + ".class_token_position " + c.getClassTokenPosition())
          + ": those are CoOp's options of its one layer of context; use depth 1");
    }
    if (c.getCsc() && run.getEval().getBaseToNew()) {
      throw problems.at(field + ".csc", "a context per class has none for the new classes of "
          + "eval.base_to_new; use a shared context (csc: false) or leave base_to_new out");
    }
    if (templatesArePrompts && moved && run.getModel().hasClip()
        && run.getModel().getClip().getTemplatesCount() > 0) {
      throw problems.at(field + ".class_token_position", c.getClassTokenPosition() + " places "
          + "the context around the class name in the method's own prompt; leave "
          + "model.clip.templates out");
    }
  }

  /**
   * MuDPT's prompts enter both towers up to depth; the Injection Model couples visual prompts,
   * so it needs them; attention injection splits both widths into its heads.
   */
  private static void checkMudpt(MudptConfig p, RunConfig run, ConfigProblems problems) {
    if (!run.getModel().hasClip()) {
      return;
    }
    ClipConfig clip = run.getModel().getClip();
    if (!p.getVisualPrompts() && p.getInjection() != InjectionKind.INDEPENDENT) {
      throw problems.at("method.mudpt.injection", p.getInjection() + " couples visual prompts, "
          + "but method.mudpt.visual_prompts is false; use INDEPENDENT");
    }
    problems.atMost("method.mudpt.depth", p.getDepth(), "model.clip.text_depth",
        clip.getTextDepth());
    if (p.getVisualPrompts()) {
      problems.atMost("method.mudpt.depth", p.getDepth(), "model.clip.vision_depth",
          clip.getVisionDepth());
    }
    if (p.getInjection() == InjectionKind.ATTENTION && p.getInjectionHeads() > 0) {
      problems.divides("method.mudpt.injection_heads", p.getInjectionHeads(),
          "model.clip.text_width", clip.getTextWidth());
      problems.divides("method.mudpt.injection_heads", p.getInjectionHeads(),
          "model.clip.vision_width", clip.getVisionWidth());
    }
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return kind;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    TextContext text = TextContext.of(ctx, init);
    ClipModel.Spec spec = ClipModel.spec(ctx.config().getModel().getClip());
    if (coop == null) {
      PromptSetup setup = prompts.build(ctx.net(), spec, text.tokenizer(), text.tokenTable());
      prompt = setup.prompt();
      return setup.hooks();
    }
    PromptSetup setup = CoopPrompts.build(ctx.net(), spec, coop, text.tokenizer(),
        text.tokenTable(), ctx.numClasses(), variablePrefix(), field);
    prompt = setup.prompt();
    gate = new PromptGate(setup.hooks());
    return List.of(gate);
  }

  /**
   * Builds {@code body} with the learned context left out of the graph it builds (the frozen
   * text tower on hand-crafted prompts, beside the prompted one); CoOp-based methods only.
   */
  protected final <T> T withoutPrompts(java.util.function.Supplier<T> body) {
    if (gate == null) {
      throw new IllegalStateException("method." + name() + " has no CoOp context to leave out");
    }
    return gate.without(body);
  }

  /**
   * The frozen model's class features [C, E] over hand-crafted {@code templates}, built beside
   * the prompted model (after {@link #hooks}): the text tower with the learned context left out,
   * each prompt's feature normalized, averaged over the templates and normalized again, as the
   * zero-shot classifier makes them (class names as it puts them in; long names cut at the
   * context, keeping the end token). KgCoOp's reference and ProGrad's teacher.
   *
   * @param idsName the name of the prompts' token-id constant in the graph
   */
  public final Operand<TFloat32> handCraftedClassFeatures(MethodContext ctx,
      List<String> templates, String idsName) {
    Net net = ctx.net();
    Ops tf = net.tf();
    ClipModel.Spec spec = ClipModel.spec(ctx.config().getModel().getClip());
    List<String> prompts = new java.util.ArrayList<>();
    for (String name : ctx.classNames()) {
      for (String t : templates) {
        prompts.add(t.replace("{}", name));
      }
    }
    int length = spec.contextLength();
    int[][] rows = ctx.tokenizer().tokenizeAll(prompts, length, true);
    int[] flat = new int[rows.length * length];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * length, length);
    }
    Operand<TInt32> ids = net.named(idsName).constant(Shape.of(rows.length, length),
        DataBuffers.of(flat, true, false));
    Operand<TFloat32> text = withoutPrompts(() -> ClipModel.textFeatures(net, ids, spec));
    Operand<TFloat32> perPrompt = tf.reshape(ClipModel.normalize(tf, text),
        tf.constant(new long[] {ctx.numClasses(), templates.size(), spec.embedDim()}));
    return ClipModel.normalize(tf, tf.math.mean(perPrompt, tf.constant(1)));
  }

  /** The class prompt of the learned context (after {@link #hooks}). */
  protected final ContextPrompt prompt() {
    return prompt;
  }

  /** The learned context's config; null for MuDPT. */
  protected final CoopConfig coop() {
    return coop;
  }

  /** The method's own prompt, or the given templates if each has room for the context. */
  @Override
  public List<String> templates(MethodContext ctx, List<String> templates) {
    return TextContext.templates(ctx, prompt, "method." + name());
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ClassifierKind.TEXT_ENCODER;
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix());
  }

  /** The learned context replaces tokens of the text tower's class prompts. */
  @Override
  public boolean needsClip() {
    return true;
  }

  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    check.accept(run, problems);
  }

  @Override
  public Optional<String> artifactRefusal() {
    return Optional.empty();
  }

  /** Prompts and MuDPT's Injection Model weights, in float32. */
  @Override
  public StoredTensor stored(String variable) {
    return StoredTensor.float32(variable.startsWith(MudptPrompts.SCOPE + "injection/")
        ? StoredTensor.Role.INJECTION : StoredTensor.Role.PROMPT);
  }

  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    return Optional.empty();
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return "its hooks kept in the served graph";
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return AdapterSummary.headOrOwn(this, variable);
  }

  /** The prompts, then MuDPT's Injection Model: its form and parameter count. */
  @Override
  public void inspect(TrainedState trained, InspectSummary out) {
    String injectionPrefix = MudptPrompts.SCOPE + "injection/";
    PromptSummary.describe(out, trained.trained(), variablePrefix(), injectionPrefix,
        coop != null && coop.getCsc() ? "[classes, tokens, width]" : "[depth, tokens, width]");
    if (injection != null) {
      long parameters = 0;
      for (var e : trained.trained().entrySet()) {
        if (e.getKey().startsWith(injectionPrefix)) {
          parameters += NamedTensor.elementCount(e.getValue());
        }
      }
      out.line(String.format(Locale.ROOT, "  injection: %s, %,d parameters", injection.name(),
          parameters));
      out.json().addProperty("injection", injection.name());
      out.json().addProperty("injection_parameters", parameters);
    }
    AdapterSummary.stateStorage(out, this, trained.trained(), "float32 prompts"
        + (injection != null ? " and injection weights" : ""));
  }
}
