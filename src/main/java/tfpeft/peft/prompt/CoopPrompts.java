package tfpeft.peft.prompt;

import tfpeft.TfpeftException;
import tfpeft.config.proto.ClassTokenPosition;
import tfpeft.config.proto.CoopConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.text.ClipTokenizer;

/**
 * CoOp (Zhou et al., IJCV 2022): n learnable context vectors stand in for the prompt words,
 * "[V]_1 ... [V]_n name.", shared by all classes. With depth L &gt; 1 the context positions are
 * replaced again where they enter text blocks 1..L-1 (deep text prompts, MuDPT's text branch on
 * its own). Variable: {@code <scope>ctx} [L, n, D_text].
 *
 * <p>CoOp's options (official trainers/coop.py), at depth 1: class-specific context (CSC), one
 * context per class, {@code <scope>ctx} [C, n, D_text]; and the class name's position, END (the
 * paper's), MIDDLE or FRONT ({@link ClassContext} places them).
 *
 * <p>Other methods train CoOp's context as part of theirs (KgCoOp, ProGrad): they build it with
 * {@link #build(Net, ClipModel.Spec, CoopConfig, ClipTokenizer, float[], int, String, String)}
 * under their own variable scope, its config at their own field.
 */
public final class CoopPrompts {
  public static final String SCOPE = "peft/coop/";
  public static final String FIELD = "method.coop";
  /** CoOp's context length when neither n_ctx nor a phrase says. */
  static final int DEFAULT_LENGTH = 16;

  private CoopPrompts() {}

  /** CoOp's own context: shared, END, under {@link #SCOPE} (its CSC needs the classes). */
  public static PromptSetup build(Net net, ClipModel.Spec spec, CoopConfig c,
      ClipTokenizer tokenizer, float[] tokenTable) {
    return build(net, spec, c, tokenizer, tokenTable, 0, SCOPE, FIELD);
  }

  /**
   * Creates the context; attach {@link PromptSetup#hooks()} before the backbone is built.
   *
   * @param tokenTable the pretrained token embeddings [vocab, D] that a phrase initializes
   *     from, or null to start the whole context random
   * @param classes the run's classes (CSC has a context for each)
   * @param scope the variable prefix, "peft/coop/" for CoOp
   * @param field where {@code c} is in the run config ("method.coop"), for errors
   */
  public static PromptSetup build(Net net, ClipModel.Spec spec, CoopConfig c,
      ClipTokenizer tokenizer, float[] tokenTable, int classes, String scope, String field) {
    int[] phrase = PhraseInit.ids(tokenizer, c.getInit());
    int n = length(c, phrase.length);
    if (phrase.length > n) {
      throw TfpeftException.usage(field + ".init: \"" + c.getInit() + "\" is "
          + phrase.length + " tokens, more than " + field + ".n_ctx = " + n
          + "; shorten the phrase or raise n_ctx (0 takes the phrase's length)");
    }
    if (c.getDepth() > spec.text().depth()) {
      throw TfpeftException.usage(field + ".depth: " + c.getDepth() + " exceeds the "
          + spec.text().depth() + " blocks of the text tower");
    }
    int width = spec.text().width();
    ClassTokenPosition position = c.getClassTokenPosition();
    ContextPrompt prompt = new ContextPrompt(tokenizer, spec.contextLength(), n, c.getInit(),
        position);
    float[] leading = tokenTable == null ? null : PhraseInit.rows(tokenTable, width, phrase);
    SiteHook text;
    if (c.getCsc()) {
      if (phrase.length > 0 && phrase.length != n) {
        throw TfpeftException.usage(field + ".n_ctx: " + n + " with csc and a phrase of "
            + phrase.length + " tokens; with csc the phrase starts every class's context, so it"
            + " must fill it (n_ctx 0 takes the phrase's length, as CoOp's code does)");
      }
      if (classes < 1) {
        throw new IllegalArgumentException("class-specific context needs the classes");
      }
      ModelVariable ctx = net.variable(scope + "ctx", new long[] {classes, n, width},
          leading == null ? PromptStack.random() : PromptStack.leading(repeat(leading,
              classes)));
      text = new ClassContext(ctx.value(), true, classes, position);
    } else {
      ModelVariable ctx = PromptStack.create(net, scope + "ctx", c.getDepth(), n, width,
          leading);
      var layers = PromptStack.layers(net, ctx.value());
      text = position == ClassTokenPosition.END
          ? new TextPrompts(layers, spec.text().depth())
          : new ClassContext(layers.get(0), false, classes, position);
    }
    return new PromptSetup(text, null, prompt);
  }

  /** n: n_ctx, else the phrase's length, else 16. */
  static int length(CoopConfig c, int phraseLength) {
    return c.getNCtx() > 0 ? c.getNCtx() : phraseLength > 0 ? phraseLength : DEFAULT_LENGTH;
  }

  private static float[] repeat(float[] rows, int times) {
    float[] out = new float[rows.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(rows, 0, out, i * rows.length, rows.length);
    }
    return out;
  }
}
