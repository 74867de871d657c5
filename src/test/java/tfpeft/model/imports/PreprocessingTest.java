package tfpeft.model.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.proto.Geometry;
import tfpeft.config.proto.Interpolation;
import tfpeft.config.proto.Normalization;
import tfpeft.config.proto.TransformConfig;

/** Each format's preprocessing convention, and Hugging Face's preprocessor_config.json. */
class PreprocessingTest {
  @TempDir Path dir;

  @Test
  void aClipProcessorConfigGivesClipStatisticsAndCenterCrop() throws Exception {
    Path f = dir.resolve("preprocessor_config.json");
    Files.writeString(f, "{\"do_center_crop\": true, \"do_normalize\": true, \"resample\": 3,"
        + " \"image_mean\": [0.48145466, 0.4578275, 0.40821073],"
        + " \"image_std\": [0.26862954, 0.26130258, 0.27577711]}");
    TransformConfig t = Preprocessing.huggingFace(f);
    assertEquals(Geometry.SHORT_SIDE_CENTER_CROP, t.getGeometry());
    assertEquals(Interpolation.BICUBIC, t.getInterpolation());
    assertEquals(Normalization.CLIP, t.getNormalization());
  }

  @Test
  void otherStatisticsBecomeCustomAndBilinearIsKept() throws Exception {
    Path f = dir.resolve("preprocessor_config.json");
    Files.writeString(f, "{\"resample\": 2, \"image_mean\": [0.1, 0.2, 0.3],"
        + " \"image_std\": [1, 2, 3]}");
    TransformConfig t = Preprocessing.huggingFace(f);
    assertEquals(Geometry.RESIZE, t.getGeometry());
    assertEquals(Interpolation.BILINEAR, t.getInterpolation());
    assertEquals(Normalization.CUSTOM, t.getNormalization());
    assertEquals(List.of(0.1f, 0.2f, 0.3f), t.getMeanList());
    assertEquals(List.of(1f, 2f, 3f), t.getStdList());
  }

  @Test
  void imagenetStatisticsAreRecognized() throws Exception {
    Path f = dir.resolve("preprocessor_config.json");
    Files.writeString(f, "{\"image_mean\": [0.485, 0.456, 0.406],"
        + " \"image_std\": [0.229, 0.224, 0.225]}");
    assertEquals(Normalization.IMAGENET, Preprocessing.huggingFace(f).getNormalization());
  }

  @Test
  void googleNpzTakesPixelsInMinusOneToOne() {
    TransformConfig t = Preprocessing.halfRange();
    assertEquals(List.of(0.5f, 0.5f, 0.5f), t.getMeanList());
    assertEquals(List.of(0.5f, 0.5f, 0.5f), t.getStdList());
  }

  @Test
  void aMalformedMeanIsAnErrorNamingTheFileAndKey() throws Exception {
    Path f = dir.resolve("preprocessor_config.json");
    Files.writeString(f, "{\"image_mean\": [0.5, 0.5]}");
    TfpeftException e = assertThrows(TfpeftException.class, () -> Preprocessing.huggingFace(f));
    assertTrue(e.getMessage().contains("preprocessor_config.json: image_mean must be a list of "
        + "three numbers"), e.getMessage());
    assertEquals(2, e.exitCode());
  }
}
