package tfpeft.peft.prompt;

import tfpeft.TfpeftException;
import tfpeft.config.proto.InjectionKind;
import tfpeft.config.proto.MudptConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.text.ClipTokenizer;

/**
 * MuDPT (Miao et al., ICME 2023): text prompts T [L, n, D_text] and visual prompts V
 * [L, n, D_vision], fused by the {@link InjectionModel} into T_hat = T + V' (from text layer 1
 * on; layer 0 stays T_0) and V_hat = V + T', which go into the two towers as deep prompts (layer 0 at the inputs, layers 1..L-1 where they
 * enter those blocks). ONE_WAY injection is MaPLe-style coupling (V_hat = Linear_i(T_i));
 * INDEPENDENT without visual prompts is CoOp with deep text prompts. Variables:
 * {@code peft/mudpt/text_prompts}, {@code peft/mudpt/visual_prompts},
 * {@code peft/mudpt/injection/...}.
 */
public final class MudptPrompts {
  public static final String SCOPE = "peft/mudpt/";

  private MudptPrompts() {}

  /**
   * Creates the prompts and the Injection Model; attach {@link PromptSetup#hooks()} before the
   * backbone is built.
   *
   * @param tokenTable the pretrained token embeddings [vocab, D_text] that the phrase
   *     initializes the first text prompts from, or null to start them random
   */
  public static PromptSetup build(Net net, ClipModel.Spec spec, MudptConfig c,
      ClipTokenizer tokenizer, float[] tokenTable) {
    InjectionKind kind = c.getInjection();
    check(spec, c);
    int n = c.getLength();
    int depth = c.getDepth();
    int[] phrase = PhraseInit.ids(tokenizer, c.getInit());
    if (phrase.length > n) {
      throw TfpeftException.usage("method.mudpt.init: \"" + c.getInit() + "\" is "
          + phrase.length + " tokens, more than method.mudpt.length = " + n);
    }
    int dt = spec.text().width();
    int dv = spec.vision().blocks().width();
    ModelVariable t = PromptStack.create(net, SCOPE + "text_prompts", depth, n, dt,
        tokenTable == null ? null : PhraseInit.rows(tokenTable, dt, phrase));
    ModelVariable v = c.getVisualPrompts() && kind != InjectionKind.ONE_WAY
        ? PromptStack.create(net, SCOPE + "visual_prompts", depth, n, dv, null) : null;
    InjectionModel.Fused fused = new InjectionModel(net, SCOPE + "injection/",
        spec.text().layerNormEps()).apply(kind, t.value(), v == null ? null : v.value(), dv,
        c.getInjectionHeads());

    TextPrompts text = new TextPrompts(PromptStack.layers(net, fused.text()),
        spec.text().depth());
    VisualPrompts visual = fused.visual() == null ? null : new VisualPrompts(
        PromptStack.layers(net, fused.visual()), spec.vision().blocks().depth());
    return new PromptSetup(text, visual,
        new ContextPrompt(tokenizer, spec.contextLength(), n, c.getInit()));
  }

  private static void check(ClipModel.Spec spec, MudptConfig c) {
    InjectionKind kind = c.getInjection();
    if (!c.getVisualPrompts() && kind != InjectionKind.INDEPENDENT) {
      throw TfpeftException.usage("method.mudpt.injection: " + kind + " couples visual "
          + "prompts, but method.mudpt.visual_prompts is false; use INDEPENDENT");
    }
    int textDepth = spec.text().depth();
    int visionDepth = spec.vision().blocks().depth();
    boolean visual = c.getVisualPrompts();
    int limit = visual ? Math.min(textDepth, visionDepth) : textDepth;
    if (c.getDepth() > limit) {
      throw TfpeftException.usage("method.mudpt.depth: " + c.getDepth() + " exceeds the "
          + limit + " blocks of the " + (visual ? "shallower tower" : "text tower"));
    }
    if (kind == InjectionKind.ATTENTION && c.getInjectionHeads() > 0) {
      for (long width : new long[] {spec.text().width(), spec.vision().blocks().width()}) {
        if (width % c.getInjectionHeads() != 0) {
          throw TfpeftException.usage("method.mudpt.injection_heads: "
              + c.getInjectionHeads() + " does not divide the prompt width " + width);
        }
      }
    }
  }
}
