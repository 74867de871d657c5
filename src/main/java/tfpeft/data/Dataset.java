package tfpeft.data;

import java.util.List;

/**
 * A classification dataset as a run sees it after sampling: class names in label order, the three
 * splits (val may be empty), and the zero-shot templates that come with it ("{}" = class name).
 */
public record Dataset(
    String name, List<String> classNames, Split train, Split val, Split test,
    List<String> templates) {
  public Dataset {
    classNames = List.copyOf(classNames);
    templates = List.copyOf(templates);
  }

  public int numClasses() {
    return classNames.size();
  }

  public Dataset withSplits(List<String> names, Split newTrain, Split newVal, Split newTest) {
    return new Dataset(name, names, newTrain, newVal, newTest, templates);
  }

  public Dataset withTemplates(List<String> newTemplates) {
    return new Dataset(name, classNames, train, val, test, newTemplates);
  }
}
