package tfpeft.model.text;

import java.nio.file.Path;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.RunConfig;

/** Which tokenizer a run's CLIP reads its class prompts with, and the checks on it. */
public final class RunTokenizer {
  private RunTokenizer() {}

  /**
   * The tokenizer of a run's CLIP: model.clip.tokenizer, else the vocabulary that came with the
   * weights ({@code vocabulary}, may be null). A usage error naming the field when there is
   * neither, when the file cannot be read, or when it has more tokens than the model embeds.
   */
  public static ClipTokenizer of(RunConfig c, Path vocabulary) {
    ClipConfig clip = c.getModel().getClip();
    Path path;
    String field;
    if (!clip.getTokenizer().isEmpty()) {
      path = Path.of(clip.getTokenizer());
      field = "model.clip.tokenizer";
    } else if (vocabulary != null) {
      path = vocabulary;
      field = "model.weights.path";
    } else {
      throw TfpeftException.usage("model.clip.tokenizer: CLIP scores classes by the text of their"
          + " names and needs a BPE vocabulary; set model.clip.tokenizer (a vocab.json or a"
          + " directory with vocab.json and merges.txt) or model.weights.path to weights that"
          + " come with one");
    }
    ClipTokenizer tok;
    try {
      tok = ClipTokenizer.load(path);
    } catch (TfpeftException e) {
      throw TfpeftException.usage(field + ": " + e.getMessage(), e);
    }
    if (tok.vocabSize() > clip.getVocabSize()) {
      throw TfpeftException.usage(field + ": the vocabulary at " + path + " has "
          + tok.vocabSize() + " tokens, more than model.clip.vocab_size = " + clip.getVocabSize());
    }
    return tok;
  }
}
