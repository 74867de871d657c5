package tfpeft.data.synthetic;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One downstream classification task: its class names (the caption words for each label), the
 * zero-shot prompt templates ({@code {}} stands for a class name) and a class-conditional scene
 * sampler that varies every other attribute at random.
 */
public record SyntheticTask(
    String name,
    TaskGroup group,
    List<String> classNames,
    List<String> templates,
    ClassConditionalSampler sampler) {

  /** Draws a scene whose label for this task is {@code label}. */
  @FunctionalInterface
  public interface ClassConditionalSampler {
    Scene sample(int label, SplittableRandom rng);
  }

  public SyntheticTask {
    classNames = List.copyOf(classNames);
    templates = List.copyOf(templates);
    for (String template : templates) {
      if (!template.contains("{}")) {
        throw new IllegalArgumentException("template without {}: " + template);
      }
    }
  }

  public int numClasses() {
    return classNames.size();
  }

  /** A scene of class {@code label}. */
  public Scene sample(int label, SplittableRandom rng) {
    if (label < 0 || label >= classNames.size()) {
      throw new IllegalArgumentException(
          "label " + label + " out of range for task " + name + " (" + classNames.size() + " classes)");
    }
    return sampler.sample(label, rng);
  }

  /** Every template filled with the class name of {@code label}. */
  public List<String> prompts(int label) {
    String className = classNames.get(label);
    return templates.stream().map(t -> t.replace("{}", className)).toList();
  }

  /** The name in CoOp's split-file style: "orientation" gives "Orientation". */
  public String camelName() {
    StringBuilder out = new StringBuilder();
    for (String part : name.split("[_\\-\\s]+")) {
      if (!part.isEmpty()) {
        out.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
      }
    }
    return out.toString();
  }
}
