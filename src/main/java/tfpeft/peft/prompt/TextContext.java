package tfpeft.peft.prompt;

import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.config.proto.WeightsConfig;
import tfpeft.model.imports.Backbones;
import tfpeft.model.imports.LoadedBackbone;
import tfpeft.model.text.ClipTokenizer;
import tfpeft.train.ClassPrompts;

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

  /** Reads what {@code phrase} needs from the run's weights (the file's own architecture). */
  static TextContext of(RunConfig c, String phrase) {
    WeightsConfig w = c.getModel().getWeights();
    if (w.getPath().isEmpty()) {
      return new TextContext(ClassPrompts.tokenizer(c, null), null);
    }
    // the file's own architecture: the token table does not depend on what the config resizes
    LoadedBackbone b = Backbones.load(w, null);
    ClipTokenizer tokenizer = ClassPrompts.tokenizer(c, b.vocab());
    if (phrase.isBlank()) {
      return new TextContext(tokenizer, null);
    }
    float[] table = b.tensors().get(TOKEN_EMBEDDING);
    ClipConfig clip = c.getModel().getClip();
    if (table == null || table.length != (long) clip.getVocabSize() * clip.getTextWidth()) {
      throw TfpeftException.usage("model.weights.path: " + w.getPath() + " has no token "
          + "embedding table of " + clip.getVocabSize() + " x " + clip.getTextWidth()
          + " (model.clip.vocab_size x text_width) to initialize the context from");
    }
    return new TextContext(tokenizer, table);
  }

  /**
   * The run's class prompts are built from model.clip.templates; the context replaces the n
   * tokens after the start token, so each template needs at least n tokens before the class
   * name (more stay as fixed words: MaPLe learns "a photo" of "a photo of a {}.").
   */
  void checkTemplates(RunConfig c, ContextPrompt prompt, String method) {
    List<String> templates = c.getModel().getClip().getTemplatesList();
    String fix = "; set model.clip.templates: \"" + prompt.template() + "\"";
    if (templates.isEmpty()) {
      throw TfpeftException.usage(method + ": the learned context replaces the "
          + prompt.length() + " tokens after the start of each class prompt, so the prompts "
          + "must be given, not taken from the dataset" + fix);
    }
    for (String t : templates) {
      int slots = ContextPrompt.slotsOf(tokenizer, t);
      if (!t.contains("{}") || slots < prompt.length()) {
        throw TfpeftException.usage("model.clip.templates: \"" + t + "\" puts the class name "
            + "after " + slots + " tokens, but " + method + " replaces the first "
            + prompt.length() + " with its context" + fix);
      }
    }
  }
}
