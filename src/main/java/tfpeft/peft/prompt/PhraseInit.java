package tfpeft.peft.prompt;

import tfpeft.model.text.ClipTokenizer;

/**
 * Context initialized from a phrase (CoOp's "a photo of a"): the first k vectors of layer 0 are
 * the pretrained token embeddings of the phrase's k tokens. They become the leading values of
 * the prompt variable's initial value ({@link tfpeft.model.Init.WithLeading}), so a fresh run
 * starts from them and a resumed run restores its trained context over them.
 */
final class PhraseInit {
  private PhraseInit() {}

  /** The phrase's token ids (none for an empty phrase). */
  static int[] ids(ClipTokenizer tokenizer, String phrase) {
    return phrase.isBlank() ? new int[0] : tokenizer.encode(phrase);
  }

  /** Rows {@code ids} of a token embedding table [vocab, width], back to back. */
  static float[] rows(float[] table, int width, int[] ids) {
    float[] out = new float[ids.length * width];
    for (int i = 0; i < ids.length; i++) {
      if ((long) (ids[i] + 1) * width > table.length) {
        throw new IllegalArgumentException("token " + ids[i] + " is outside the embedding "
            + "table of " + table.length / width + " tokens");
      }
      System.arraycopy(table, ids[i] * width, out, i * width, width);
    }
    return out;
  }
}
