package tfpeft.peft.mask;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;
import tfpeft.model.imports.BackboneDirectory;
import tfpeft.model.imports.LoadedBackbone;

/**
 * The encoder a mask-tuning run leaves behind: the frozen weights with the binary masks
 * multiplied in (W * 1[M > threshold]). It is an ordinary backbone, so any later method runs on
 * it unchanged: R-AMT + CoOp and R-AMT + TIP-Adapter (R-AMT, section 4.3) are CoOp and
 * TIP-Adapter runs whose {@code model.weights} is this backbone.
 */
public final class MaskedBackbone {
  private MaskedBackbone() {}

  /** {@code backbone} with {@code masks} applied; the input is not changed. */
  public static LoadedBackbone apply(LoadedBackbone backbone, MaskArtifact masks) {
    Map<String, float[]> tensors = new LinkedHashMap<>(backbone.tensors());
    List<String> problems = new ArrayList<>();
    for (MaskArtifact.Binary b : masks.masks()) {
      String name = "backbone/" + b.site() + "/weight";
      float[] w = tensors.get(name);
      long[] shape = backbone.shapes().get(name);
      if (w == null || !Arrays.equals(shape, b.shape())) {
        problems.add(name + (w == null ? " is missing" : " is "
            + Arrays.toString(shape) + ", the mask " + Arrays.toString(b.shape())));
        continue;
      }
      float[] keep = b.values();
      float[] masked = w.clone();
      for (int i = 0; i < masked.length; i++) {
        masked[i] *= keep[i];
      }
      tensors.put(name, masked);
    }
    if (!problems.isEmpty()) {
      throw TfpeftException.usage("the masks do not fit the backbone: "
          + String.join("; ", problems) + "; apply masks to the backbone they were trained on");
    }
    return new LoadedBackbone(backbone.model(), tensors, backbone.shapes(), backbone.vocab(),
        backbone.report());
  }

  /** Writes {@code backbone} with {@code masks} applied as a tfpeft backbone directory. */
  public static void write(Path out, LoadedBackbone backbone, MaskArtifact masks,
      boolean overwrite) {
    BackboneDirectory.write(out, apply(backbone, masks), overwrite);
  }
}
