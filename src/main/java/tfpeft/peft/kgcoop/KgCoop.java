package tfpeft.peft.kgcoop;

import com.google.gson.JsonObject;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.KgCoopConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ClipClassifier;
import tfpeft.model.ClipModel;
import tfpeft.model.Init;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.MethodContext;
import tfpeft.peft.PrepareContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.prompt.TextPromptMethod;

/**
 * KgCoOp in a run: CoOp's context ({@code peft/kgcoop/ctx}) trained with cross-entropy plus
 * lambda times the knowledge-guided term ({@link KnowledgeGuidance}) between the learned class
 * features and the hand-crafted ones. The hand-crafted class features are the frozen text
 * tower's (the prompts left out) on the run's templates, normalized and averaged over templates;
 * they are computed once, when the run starts ({@link #prepare}), into
 * {@code peft/kgcoop/hand_crafted} [C, E], which does not train and is not stored in artifacts
 * (it follows from the base).
 */
public final class KgCoop extends TextPromptMethod {
  static final String FIELD = "method.kgcoop.prompt";

  private final KgCoopConfig config;
  private List<String> handCraftedTemplates;
  private Operation computeHandCrafted;

  public KgCoop(MethodConfig m) {
    super(MethodConfig.MethodCase.KGCOOP, m.getKgcoop().getPrompt(), FIELD);
    this.config = m.getKgcoop();
  }

  /**
   * The class prompts are the method's own ("X X X X {}.", or its phrase's); the run's
   * templates are the hand-crafted prompts the learned features are kept near.
   */
  @Override
  public List<String> templates(MethodContext ctx, List<String> templates) {
    handCraftedTemplates = List.copyOf(templates);
    return List.of(prompt().template());
  }

  /** Only the context trains; the hand-crafted features are computed. */
  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix() + "ctx");
  }

  @Override
  public boolean trainsAt(String variable, JsonObject state) {
    return StoredTensor.isHead(variable) || variable.startsWith(variablePrefix() + "ctx");
  }

  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {
    TextPromptMethod.checkCoop(config.getPrompt(), FIELD, run, problems, false);
  }

  /** The frozen text tower over the hand-crafted prompts, and the op that stores its output. */
  @Override
  public void afterBuild(MethodContext ctx) {
    List<String> templates = handCraftedTemplates != null ? handCraftedTemplates
        : runTemplates(ctx);
    Operand<TFloat32> features = handCraftedClassFeatures(ctx, templates,
        variablePrefix() + "hand_crafted_ids");
    Net net = ctx.net();
    ModelVariable handCrafted = handCrafted(ctx);
    computeHandCrafted = net.named(variablePrefix() + "compute_hand_crafted")
        .assign(handCrafted.variable(), features).op();
  }

  /** The run's templates where a rebuilt graph was not asked for them (model's, else default). */
  private static List<String> runTemplates(MethodContext ctx) {
    List<String> given = ctx.config().getModel().getClip().getTemplatesList();
    if (!given.isEmpty()) {
      return given;
    }
    if (ctx.resources().dataset() != null && !ctx.dataset().templates().isEmpty()) {
      return ctx.dataset().templates();
    }
    return List.of(ClipClassifier.DEFAULT_TEMPLATE);
  }

  private ModelVariable handCrafted(MethodContext ctx) {
    return ctx.net().variable(variablePrefix() + "hand_crafted", new long[] {ctx.numClasses(),
        ClipModel.spec(ctx.config().getModel().getClip()).embedDim()}, Init.zeros());
  }

  /** lambda times the knowledge-guided term of the class features the classifier uses. */
  @Override
  public Operand<TFloat32> extraLoss(MethodContext ctx) {
    Net net = ctx.net();
    GraphOperation learned = net.graph().operation("classifier/class_features");
    if (learned == null) {
      throw new IllegalStateException("method.kgcoop needs the graph's class features");
    }
    Operand<TFloat32> term = net.named(variablePrefix() + "knowledge_guided").identity(
        KnowledgeGuidance.distance(net.tf(), learned.output(0), handCrafted(ctx).value(),
            config.getDistance()));
    return net.named(variablePrefix() + "extra_loss").math.mul(term,
        net.tf().constant(config.getWeight()));
  }

  /**
   * Computes the hand-crafted class features from the frozen text tower, also after a restore:
   * they follow from the base, which is frozen, so recomputing gives what the run had.
   */
  @Override
  public void prepare(PrepareContext ctx) {
    if (computeHandCrafted != null) {
      ctx.session().runner().addTarget(computeHandCrafted).run();
    }
  }
}
