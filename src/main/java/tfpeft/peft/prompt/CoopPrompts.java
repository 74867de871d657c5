package tfpeft.peft.prompt;

import tfpeft.TfpeftException;
import tfpeft.config.proto.CoopConfig;
import tfpeft.model.ClipModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.text.ClipTokenizer;

/**
 * CoOp (Zhou et al., IJCV 2022): n learnable context vectors stand in for the prompt words,
 * "[V]_1 ... [V]_n name.", shared by all classes. With depth L &gt; 1 the context positions are
 * replaced again where they enter text blocks 1..L-1 (deep text prompts, MuDPT's text branch on
 * its own). Variable: {@code peft/coop/ctx} [L, n, D_text].
 */
public final class CoopPrompts {
  public static final String SCOPE = "peft/coop/";
  /** CoOp's context length when neither n_ctx nor a phrase says. */
  static final int DEFAULT_LENGTH = 16;

  private CoopPrompts() {}

  /**
   * Creates the context; attach {@link PromptSetup#hooks()} before the backbone is built.
   *
   * @param tokenTable the pretrained token embeddings [vocab, D_text] that a phrase initializes
   *     from, or null to start the whole context random
   */
  public static PromptSetup build(Net net, ClipModel.Spec spec, CoopConfig c,
      ClipTokenizer tokenizer, float[] tokenTable) {
    int[] phrase = PhraseInit.ids(tokenizer, c.getInit());
    int n = c.getNCtx() > 0 ? c.getNCtx() : phrase.length > 0 ? phrase.length : DEFAULT_LENGTH;
    if (phrase.length > n) {
      throw TfpeftException.usage("method.coop.init: \"" + c.getInit() + "\" is "
          + phrase.length + " tokens, more than method.coop.n_ctx = " + n
          + "; shorten the phrase or raise n_ctx (0 takes the phrase's length)");
    }
    if (c.getDepth() > spec.text().depth()) {
      throw TfpeftException.usage("method.coop.depth: " + c.getDepth() + " exceeds the "
          + spec.text().depth() + " blocks of the text tower");
    }
    int width = spec.text().width();
    ModelVariable ctx = PromptStack.create(net, SCOPE + "ctx", c.getDepth(), n, width,
        tokenTable == null ? null : PhraseInit.rows(tokenTable, width, phrase));
    TextPrompts text = new TextPrompts(PromptStack.layers(net, ctx.value()),
        spec.text().depth());
    return new PromptSetup(text, null,
        new ContextPrompt(tokenizer, spec.contextLength(), n, c.getInit()));
  }
}
