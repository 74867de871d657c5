package tfpeft.train;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tfpeft.data.Dataset;
import tfpeft.model.ModelVariable;

/**
 * Parameters of a run's model by group (backbone, head, peft) and whether they train; optimizer
 * slots are not counted.
 */
public record ParameterCounts(Map<String, long[]> groups, long trainable, long frozen,
    int trainableVariables, String data) {

  static ParameterCounts of(List<ModelVariable> model, List<ModelVariable> trainable,
      Dataset dataset) {
    Set<String> names = trainable.stream().map(ModelVariable::name).collect(Collectors.toSet());
    Map<String, long[]> groups = new LinkedHashMap<>();
    long t = 0;
    long f = 0;
    for (ModelVariable v : model) {
      long[] g = groups.computeIfAbsent(v.group(), k -> new long[2]);
      if (names.contains(v.name())) {
        g[0] += v.size();
        t += v.size();
      } else {
        g[1] += v.size();
        f += v.size();
      }
    }
    String data = String.format("%d classes; %d train, %d val, %d test images",
        dataset.numClasses(), dataset.train().size(), dataset.val().size(),
        dataset.test().size());
    return new ParameterCounts(groups, t, f, trainable.size(), data);
  }

  public long total() {
    return trainable + frozen;
  }

  /** "parameters: 1,234 trainable (0.52%) in 2 variables, 235,000 frozen; backbone ..." */
  public String summary() {
    StringBuilder s = new StringBuilder("data: " + data + "\n").append(String.format(
        "parameters: %,d trainable (%.2f%%) in %d variables, %,d frozen", trainable,
        total() == 0 ? 0 : 100.0 * trainable / total(), trainableVariables, frozen));
    for (Map.Entry<String, long[]> e : groups.entrySet()) {
      s.append(String.format("%n  %-9s %,13d trainable %,13d frozen", e.getKey() + "/",
          e.getValue()[0], e.getValue()[1]));
    }
    return s.toString();
  }

  public JsonObject json() {
    JsonObject o = new JsonObject();
    o.addProperty("trainable", trainable);
    o.addProperty("frozen", frozen);
    o.addProperty("trainable_variables", trainableVariables);
    JsonObject g = new JsonObject();
    for (Map.Entry<String, long[]> e : groups.entrySet()) {
      JsonObject x = new JsonObject();
      x.addProperty("trainable", e.getValue()[0]);
      x.addProperty("frozen", e.getValue()[1]);
      g.add(e.getKey(), x);
    }
    o.add("groups", g);
    return o;
  }
}
