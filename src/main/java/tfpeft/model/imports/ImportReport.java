package tfpeft.model.imports;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tfpeft.config.proto.WeightsFormat;

/**
 * What loading a weight file did: where the weights came from, how many tensors became how many
 * variables, and everything that was not a plain one-to-one copy.
 *
 * @param source the weight file read
 * @param format the format it was read as (never AUTO)
 * @param layout the layout found, e.g. "Hugging Face ViTForImageClassification"
 * @param fileTensors tensors in the file
 * @param variables tfpeft variables filled (backbone and head)
 * @param parameters backbone parameters (head excluded)
 * @param headClasses classes of the ViT head taken from the file, 0 if none
 * @param dtypes element types stored in the file and how many tensors each (safetensors only;
 *     empty for other files); anything but F32 was widened to float32 exactly
 * @param dropped tensors the format's table drops as harmless (buffers)
 * @param ignored tensors the user's weights.ignore patterns excluded
 * @param unmatchedIgnores ignore patterns that matched no tensor (likely typos)
 * @param resampled how the position embeddings were resampled, or null if they were not
 * @param notes other remarks (a missing tokenizer vocabulary, assumed settings)
 */
public record ImportReport(Path source, WeightsFormat format, String layout, int fileTensors,
    int variables, long parameters, int headClasses, List<String> classNames,
    Map<String, Integer> dtypes,
    List<String> dropped, List<String> ignored, List<String> unmatchedIgnores, String resampled,
    List<String> notes) {

  /** The report as lines for a terminal. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add("source: " + source + " (" + layout + ", format " + format + ")");
    out.add(String.format("mapped %d file tensors onto %d variables: %,d backbone parameters",
        fileTensors - dropped.size() - ignored.size(), variables, parameters));
    out.add(headClasses == 0 ? "head: none in the file"
        : "head: " + headClasses + " classes, kept" + (classNames.isEmpty() ? " (no class names"
            + " come with it)" : ", named " + list(classNames)));
    if (dtypes.size() > 1 || !dtypes.isEmpty() && !dtypes.containsKey("F32")) {
      StringBuilder s = new StringBuilder("stored as");
      dtypes.forEach((type, count) -> s.append(' ').append(type).append(" (").append(count)
          .append(')'));
      out.add(s + "; widened to float32 exactly");
    }
    if (resampled != null) {
      out.add(resampled);
    }
    if (!dropped.isEmpty()) {
      out.add("dropped as harmless by the format's table: " + list(dropped));
    }
    if (!ignored.isEmpty()) {
      out.add("ignored as asked: " + list(ignored));
    }
    for (String p : unmatchedIgnores) {
      out.add("warning: ignore pattern '" + p + "' matches no tensor of the file");
    }
    for (String n : notes) {
      out.add("note: " + n);
    }
    return out;
  }

  static String list(List<String> names) {
    int shown = Math.min(names.size(), 8);
    String s = names.size() + " (" + String.join(", ", names.subList(0, shown));
    return s + (names.size() > shown ? ", ... " + (names.size() - shown) + " more)" : ")");
  }

  @Override
  public String toString() {
    return String.join("\n", lines());
  }
}
