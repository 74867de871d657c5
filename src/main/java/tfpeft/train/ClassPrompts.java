package tfpeft.train;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TInt32;
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

  public int classes() {
    return classNames.size();
  }

  /** The ids as rows [classes * templates][context]. */
  public int[][] idRows() {
    int[][] rows = new int[ids.length / contextLength][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = java.util.Arrays.copyOfRange(ids, i * contextLength, (i + 1) * contextLength);
    }
    return rows;
  }

  /** The ids as the [classes * templates, context] tensor the text tower takes. */
  public TInt32 tensor() {
    return TInt32.tensorOf(Shape.of(ids.length / contextLength, contextLength),
        DataBuffers.of(ids, true, false));
  }
}
