package tfpeft.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TInt32;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.ClipClassifier;
import tfpeft.model.text.ClipTokenizer;

/**
 * The prompts of CLIP's text classifier as token ids: for each class, one prompt per template
 * ("a photo of a {}."), class-major, [classes * templates, context].
 */
public record ClassPrompts(List<String> classNames, List<String> templates, int contextLength,
    int[] ids) {
  public ClassPrompts {
    classNames = List.copyOf(classNames);
    templates = List.copyOf(templates);
  }

  public static ClassPrompts of(ClipTokenizer tokenizer, List<String> classNames,
      List<String> templates, int contextLength) {
    List<String> prompts = new ArrayList<>();
    for (String c : classNames) {
      for (String t : templates) {
        prompts.add(t.replace("{}", c));
      }
    }
    // long class names are cut at the context, keeping the end token, as the zero-shot
    // evaluation of the pretrained backbones does
    int[][] rows = tokenizer.tokenizeAll(prompts, contextLength, true);
    int[] flat = new int[rows.length * contextLength];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * contextLength, contextLength);
    }
    return new ClassPrompts(classNames, templates, contextLength, flat);
  }

  /** The templates of a run: the model's, else the dataset's, else CLIP's default. */
  public static List<String> templates(RunConfig c, List<String> datasetTemplates) {
    List<String> t = c.getModel().getClip().getTemplatesList();
    if (!t.isEmpty()) {
      return t;
    }
    return datasetTemplates.isEmpty() ? List.of(ClipClassifier.DEFAULT_TEMPLATE)
        : datasetTemplates;
  }

  /**
   * The tokenizer of a run's CLIP: model.clip.tokenizer, else the vocabulary that came with the
   * weights ({@code vocabulary}, may be null).
   */
  public static ClipTokenizer tokenizer(RunConfig c, Path vocabulary) {
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

  public int classes() {
    return classNames.size();
  }

  /** The ids as the [classes * templates, context] tensor the text tower takes. */
  public TInt32 tensor() {
    return TInt32.tensorOf(Shape.of(ids.length / contextLength, contextLength),
        DataBuffers.of(ids, true, false));
  }
}
