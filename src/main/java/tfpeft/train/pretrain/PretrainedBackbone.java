package tfpeft.train.pretrain;

import com.google.protobuf.TextFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Session;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.TransformConfig;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.SafetensorsWriter;
import tfpeft.util.AtomicFiles;

/**
 * tfpeft's own backbone format: a directory with {@code weights.safetensors} (the backbone/
 * variables under their tfpeft names, float32) and {@code model.pbtxt} (the architecture as a
 * text-format ModelConfig) and {@code preprocess.pbtxt} (the evaluation preprocessing it expects,
 * a text-format TransformConfig). Imported and pretrained backbones both take this form.
 */
public final class PretrainedBackbone {
  public static final String WEIGHTS = "weights.safetensors";
  public static final String MODEL = "model.pbtxt";
  /** The preprocessing the backbone was trained with, as a text-format TransformConfig. */
  public static final String PREPROCESS = "preprocess.pbtxt";

  private PretrainedBackbone() {}

  /** Writes the backbone variables of {@code net} and the architecture into {@code dir}. */
  public static long write(Path dir, Net net, Session session, ModelConfig model,
      TransformConfig preprocess) {
    List<NamedTensor> tensors = new ArrayList<>();
    long params = 0;
    List<ModelVariable> backbone = net.variables("backbone/");
    VariableValues.readEach(session, backbone, (v, values) -> tensors.add(
        new NamedTensor(v.name(), v.shape().asArray(), values)));
    for (ModelVariable v : backbone) {
      params += v.size();
    }
    SafetensorsWriter.write(dir.resolve(WEIGHTS), tensors);
    AtomicFiles.writeString(dir.resolve(MODEL), "# tfpeft backbone architecture\n"
        + TextFormat.printer().printToString(model));
    AtomicFiles.writeString(dir.resolve(PREPROCESS), "# tfpeft evaluation preprocessing\n"
        + TextFormat.printer().printToString(preprocess));
    return params;
  }
}
