package tfpeft.peft.kgcoop;

import com.google.gson.JsonObject;
import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.KgCoopConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ClipClassifier;
import tfpeft.model.Net;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.MethodContext;
import tfpeft.peft.StoredTensor;
import tfpeft.peft.prompt.TextPromptMethod;

/**
 * KgCoOp in a run: CoOp's context ({@code peft/kgcoop/ctx}) trained with cross-entropy plus
 * lambda times the knowledge-guided term ({@link KnowledgeGuidance}) between the learned class
 * features and the hand-crafted ones. The hand-crafted class features are the frozen text
 * tower's (the prompts left out) on the run's templates, normalized and averaged over templates,
 * computed in the graph beside the prompted tower (a forward pass over C x T prompts each step,
 * with no gradient) rather than held in a variable: they follow from the base and the classes,
 * so a checkpoint carries nothing of them and the run evaluates on other classes
 * ({@code eval --data}) as CoOp does.
 */
public final class KgCoop extends TextPromptMethod {
  static final String FIELD = "method.kgcoop.prompt";

  private final KgCoopConfig config;
  private List<String> handCraftedTemplates;
  private Operand<TFloat32> handCrafted;

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

  /** The frozen text tower over the hand-crafted prompts; no gradient flows into it. */
  @Override
  public void afterBuild(MethodContext ctx) {
    List<String> templates = handCraftedTemplates != null ? handCraftedTemplates
        : runTemplates(ctx);
    handCrafted = ctx.net().named(variablePrefix() + "hand_crafted").stopGradient(
        handCraftedClassFeatures(ctx, templates, variablePrefix() + "hand_crafted_ids"));
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

  /** lambda times the knowledge-guided term of the class features the classifier uses. */
  @Override
  public Operand<TFloat32> extraLoss(MethodContext ctx) {
    Net net = ctx.net();
    GraphOperation learned = net.graph().operation("classifier/class_features");
    if (learned == null) {
      throw new IllegalStateException("method.kgcoop needs the graph's class features");
    }
    Operand<TFloat32> term = net.named(variablePrefix() + "knowledge_guided").identity(
        KnowledgeGuidance.distance(net.tf(), learned.output(0), handCrafted,
            config.getDistance()));
    return net.named(variablePrefix() + "extra_loss").math.mul(term,
        net.tf().constant(config.getWeight()));
  }
}
