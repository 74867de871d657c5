package tfpeft.model.imports;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ModelConfig;

/**
 * tfpeft's own backbone directory (weights.safetensors under tfpeft's variable names, and
 * model.pbtxt): every variable maps to the tensor of the same name, and the architecture is the
 * one model.pbtxt states.
 */
final class TfpeftTable implements WeightTable {
  private final Path modelFile;

  TfpeftTable(Path modelFile) {
    this.modelFile = modelFile;
  }

  /** The architecture in a model.pbtxt, without its weights field. */
  static ModelConfig readModel(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw TfpeftException.usage(file + ": not found; a tfpeft backbone directory holds "
          + "model.pbtxt beside weights.safetensors");
    } catch (MalformedInputException e) {
      throw TfpeftException.usage(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw TfpeftException.usage(file + ": cannot read: " + e.getMessage(), e);
    }
    ModelConfig.Builder b = ModelConfig.newBuilder();
    try {
      TextFormat.merge(text, b);
    } catch (TextFormat.ParseException e) {
      throw TfpeftException.usage(file + ":" + e.getLine() + ":" + e.getColumn() + ": "
          + e.getMessage().replaceFirst("^\\d+:\\d+: ", "")
          + "; model.pbtxt must be a text-format ModelConfig");
    }
    if (!b.hasVit() && !b.hasClip()) {
      throw TfpeftException.usage(file + ": names no architecture; expected vit { ... } or "
          + "clip { ... }");
    }
    return b.clearWeights().build();
  }

  @Override
  public Inferred infer(SourceTensors src) {
    ModelConfig model = readModel(modelFile);
    int classes = 0;
    if (model.hasVit() && src.has("head/head/weight")) {
      long[] head = Shapes.ofRank(src, "head/head/weight", 2, "for the head");
      classes = Shapes.dim(head, 1);
    }
    return new Inferred(model, Set.of(), classes, "tfpeft backbone directory", List.of());
  }

  @Override
  public List<Mapping> mappings(Inferred inferred, Map<String, long[]> expected) {
    List<Mapping> m = new ArrayList<>();
    expected.forEach((name, shape) -> m.add(Mapping.copy(name, shape, name)));
    return m;
  }
}
