package tfpeft.peft.prompt;

import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.text.ClipTokenizer;
import tfpeft.peft.MethodContext;

/**
 * What a text-prompt method needs from the run: its tokenizer, the pretrained token embeddings
 * its phrase starts from, and class prompts that hold its context slots.
 *
 * @param tokenizer the run's CLIP tokenizer
 * @param tokenTable the pretrained token embeddings [vocab, D] when a phrase needs them; null
 *     without a phrase or without pretrained weights (a random backbone gives the phrase no
 *     meaning, so the context starts random)
 */
record TextContext(ClipTokenizer tokenizer, float[] tokenTable) {
  static final String TOKEN_EMBEDDING = "backbone/text/token_embedding";

  /** The run's tokenizer and, for {@code phrase}, the token table of the run's weights. */
  static TextContext of(MethodContext ctx, String phrase) {
    RunConfig c = ctx.config();
    ClipTokenizer tokenizer = ctx.tokenizer();
    String weights = c.getModel().getWeights().getPath();
    if (phrase.isBlank() || weights.isEmpty()) {
      return new TextContext(tokenizer, null);
    }
    float[] table = ctx.pretrained(TOKEN_EMBEDDING);
    ClipConfig clip = c.getModel().getClip();
    if (table == null || table.length != (long) clip.getVocabSize() * clip.getTextWidth()) {
      throw TfpeftException.usage("model.weights.path: " + weights + " has no token "
          + "embedding table of " + clip.getVocabSize() + " x " + clip.getTextWidth()
          + " (model.clip.vocab_size x text_width) to initialize the context from");
    }
    return new TextContext(tokenizer, table);
  }

  /**
   * The class-prompt templates of a text-prompt method. The context replaces the n tokens
   * after the start token, so without model.clip.templates the method's own prompt is the
   * template ("a photo of a {}." for CoOp's phrase, "X X X X {}." without one; the dataset's
   * templates would put other words in the slots); given templates must each hold at least n
   * tokens before the class name (more stay as fixed words: MaPLe learns "a photo" of
   * "a photo of a {}.").
   */
  static List<String> templates(MethodContext ctx, ContextPrompt prompt, String method) {
    List<String> given = ctx.config().getModel().getClip().getTemplatesList();
    if (given.isEmpty()) {
      return List.of(prompt.template());
    }
    for (String t : given) {
      int slots = ContextPrompt.slotsOf(ctx.tokenizer(), t);
      if (!t.contains("{}") || slots < prompt.length()) {
        throw TfpeftException.usage("model.clip.templates: \"" + t + "\" puts the class name "
            + "after " + slots + " tokens, but " + method + " replaces the first "
            + prompt.length() + " with its context; set model.clip.templates: \""
            + prompt.template() + "\" (or leave the templates out to get that one)");
      }
    }
    return given;
  }
}
