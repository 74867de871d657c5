package tfpeft.model.imports;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tfpeft.TfpeftException;
import tfpeft.config.proto.Geometry;
import tfpeft.config.proto.Interpolation;
import tfpeft.config.proto.Normalization;
import tfpeft.config.proto.TransformConfig;

/**
 * The evaluation preprocessing a backbone expects, so that predictions from loaded weights are
 * made on inputs like the ones it was trained on. A tfpeft backbone directory records it in
 * {@code preprocess.pbtxt}; a Hugging Face checkpoint in {@code preprocessor_config.json}; the
 * other formats have a fixed convention: Google's ViT npz takes pixels in [-1, 1], OpenAI's CLIP
 * a bicubic short-side resize, a center crop and CLIP's statistics.
 */
public final class Preprocessing {
  public static final String FILE = "preprocess.pbtxt";
  static final String HF_FILE = "preprocessor_config.json";
  private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
  private static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  private static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private Preprocessing() {}

  /** The preprocessing of the weights {@code report} describes. */
  public static TransformConfig of(ImportReport report, boolean clip) {
    Path dir = report.source().toAbsolutePath().getParent();
    return switch (report.format()) {
      case TFPEFT -> Files.isRegularFile(dir.resolve(FILE)) ? read(dir.resolve(FILE))
          : fallback(clip);
      case SAFETENSORS -> Files.isRegularFile(dir.resolve(HF_FILE))
          ? huggingFace(dir.resolve(HF_FILE)) : clip ? openAiClip() : halfRange();
      case GOOGLE_NPZ -> halfRange();
      case OPENAI_CLIP -> openAiClip();
      default -> fallback(clip);
    };
  }

  /** Without any record: CLIP's convention for CLIP, pixels in [0, 1] for a ViT. */
  public static TransformConfig fallback(boolean clip) {
    return clip ? openAiClip() : TransformConfig.newBuilder()
        .setGeometry(Geometry.SHORT_SIDE_CENTER_CROP).build();
  }

  static TransformConfig openAiClip() {
    return TransformConfig.newBuilder().setGeometry(Geometry.SHORT_SIDE_CENTER_CROP)
        .setInterpolation(Interpolation.BICUBIC).setNormalization(Normalization.CLIP).build();
  }

  /** (x / 255 - 0.5) / 0.5: Google's ViT checkpoints and Hugging Face's ViT default. */
  static TransformConfig halfRange() {
    return normalized(TransformConfig.newBuilder(), new float[] {0.5f, 0.5f, 0.5f},
        new float[] {0.5f, 0.5f, 0.5f}).build();
  }

  static TransformConfig read(Path file) {
    TransformConfig.Builder b = TransformConfig.newBuilder();
    try {
      TextFormat.merge(Files.readString(file), b);
    } catch (TextFormat.ParseException e) {
      throw TfpeftException.usage(file + ": not a TransformConfig: " + e.getMessage(), e);
    } catch (IOException e) {
      throw TfpeftException.failure("cannot read " + file + ": " + e.getMessage(), e);
    }
    return b.build();
  }

  static TransformConfig huggingFace(Path file) {
    JsonObject o;
    try {
      o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException e) {
      throw TfpeftException.failure("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw TfpeftException.usage(file + ": not a JSON object: " + e.getMessage(), e);
    }
    TransformConfig.Builder b = TransformConfig.newBuilder();
    b.setGeometry(bool(o, "do_center_crop") ? Geometry.SHORT_SIDE_CENTER_CROP : Geometry.RESIZE);
    // PIL resample codes: 0 nearest, 2 bilinear, 3 bicubic.
    int resample = o.has("resample") ? o.get("resample").getAsInt() : 3;
    b.setInterpolation(resample == 0 ? Interpolation.NEAREST
        : resample == 2 ? Interpolation.BILINEAR : Interpolation.BICUBIC);
    if (o.has("do_normalize") && !o.get("do_normalize").getAsBoolean()) {
      return b.setNormalization(Normalization.UNIT).build();
    }
    float[] mean = triple(o, "image_mean", file);
    float[] std = triple(o, "image_std", file);
    return normalized(b, mean == null ? new float[] {0.5f, 0.5f, 0.5f} : mean,
        std == null ? new float[] {0.5f, 0.5f, 0.5f} : std).build();
  }

  private static TransformConfig.Builder normalized(TransformConfig.Builder b, float[] mean,
      float[] std) {
    if (same(mean, IMAGENET_MEAN) && same(std, IMAGENET_STD)) {
      return b.setNormalization(Normalization.IMAGENET);
    }
    if (same(mean, CLIP_MEAN) && same(std, CLIP_STD)) {
      return b.setNormalization(Normalization.CLIP);
    }
    b.setNormalization(Normalization.CUSTOM);
    for (int c = 0; c < 3; c++) {
      b.addMean(mean[c]).addStd(std[c]);
    }
    return b;
  }

  private static boolean bool(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e != null && e.isJsonPrimitive() && e.getAsBoolean();
  }

  private static float[] triple(JsonObject o, String key, Path file) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonArray() || e.getAsJsonArray().size() != 3) {
      throw TfpeftException.usage(file + ": " + key + " must be a list of three numbers, got "
          + e);
    }
    JsonArray a = e.getAsJsonArray();
    return new float[] {a.get(0).getAsFloat(), a.get(1).getAsFloat(), a.get(2).getAsFloat()};
  }

  private static boolean same(float[] a, float[] b) {
    for (int i = 0; i < 3; i++) {
      if (Math.abs(a[i] - b[i]) > 1e-6) {
        return false;
      }
    }
    return true;
  }
}
