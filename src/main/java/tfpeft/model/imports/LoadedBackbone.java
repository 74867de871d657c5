package tfpeft.model.imports;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Session;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ModelConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.NamedTensor;

/**
 * Pretrained weights under tfpeft's variable names, ready to assign to a graph built from
 * {@link #model()}.
 *
 * @param model the architecture: the one the weights have, with the configured image size,
 *     pooling and the settings the file does not state; no weights field
 * @param tensors tfpeft variable name to its values, row-major, in the graph's creation order;
 *     backbone/ variables, and head/head/* when the file has a ViT classification head
 * @param shapes the shape of each tensor
 * @param vocab the tokenizer vocabulary that came with CLIP weights (a vocab.json with
 *     merges.txt beside it, or CLIP's original merges file); null for ViT or when none came
 * @param report what the load did
 */
public record LoadedBackbone(ModelConfig model, Map<String, float[]> tensors,
    Map<String, long[]> shapes, Path vocab, ImportReport report) {

  /**
   * Assigns the weights to the variables of {@code net}: every backbone/ variable must have a
   * tensor of its shape; head/ variables are assigned only where the shapes match (a head for
   * another number of classes keeps its initialization); peft/ variables are left alone.
   *
   * @throws TfpeftException naming every missing variable, a shape mismatch, or weights for
   *     backbone variables the net does not have
   */
  public void assignTo(Session s, Net net) {
    List<String> missing = new ArrayList<>();
    List<ModelVariable> assign = new ArrayList<>();
    Set<String> present = new HashSet<>();
    for (ModelVariable v : net.variables()) {
      present.add(v.name());
      boolean backbone = v.name().startsWith("backbone/");
      boolean head = v.name().startsWith("head/");
      if (!backbone && !head) {
        continue;
      }
      float[] values = tensors.get(v.name());
      long[] shape = v.shape().asArray();
      if (values == null) {
        if (backbone) {
          missing.add(v.name() + " " + NamedTensor.formatShape(shape));
        }
        continue;
      }
      if (!Arrays.equals(shape, shapes.get(v.name()))) {
        if (head) {
          continue;
        }
        throw TfpeftException.usage(report.source() + ": " + v.name() + " has shape "
            + NamedTensor.formatShape(shapes.get(v.name())) + " in the weights but "
            + NamedTensor.formatShape(shape) + " in the model; build the model from the "
            + "architecture the weights came with (LoadedBackbone.model())");
      }
      assign.add(v);
    }
    List<String> extra = new ArrayList<>();
    for (String name : tensors.keySet()) {
      if (name.startsWith("backbone/") && !present.contains(name)) {
        extra.add(name);
      }
    }
    if (!missing.isEmpty() || !extra.isEmpty()) {
      StringBuilder m = new StringBuilder(report.source() + ": the weights do not fit the model");
      if (!missing.isEmpty()) {
        m.append("; no weights for ").append(ImportReport.list(missing));
      }
      if (!extra.isEmpty()) {
        m.append("; weights for variables the model lacks: ").append(ImportReport.list(extra));
      }
      throw TfpeftException.usage(m + "; build the model from the architecture the weights "
          + "came with (LoadedBackbone.model())");
    }
    List<float[]> values = new ArrayList<>();
    for (ModelVariable v : assign) {
      values.add(tensors.get(v.name()));
    }
    VariableValues.assignAll(s, assign, values);
  }

  /** Classes of the ViT head the weights carry, 0 if none. */
  public int headClasses() {
    return report.headClasses();
  }

  /** Number of backbone parameters. */
  public long parameterCount() {
    return report.parameters();
  }
}
