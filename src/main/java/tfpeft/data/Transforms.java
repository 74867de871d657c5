package tfpeft.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import tfpeft.config.proto.TransformConfig;
import tfpeft.data.image.CenterCrop;
import tfpeft.data.image.Compose;
import tfpeft.data.image.HorizontalFlip;
import tfpeft.data.image.ImageTransform;
import tfpeft.data.image.Interpolation;
import tfpeft.data.image.Normalizer;
import tfpeft.data.image.RandomResizedCrop;
import tfpeft.data.image.Resize;
import tfpeft.data.image.ResizeShortSide;
import tfpeft.data.image.RgbImage;

/** Builds the preprocessing of a split from its {@link TransformConfig}. */
public final class Transforms {
  static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
  static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private Transforms() {}

  /** @param modelSize the model's input size, used when the config's size is 0 */
  public static Preprocess build(TransformConfig c, int modelSize) {
    int size = c.getSize() > 0 ? c.getSize() : modelSize;
    Interpolation interp = switch (c.getInterpolation()) {
      case BILINEAR -> Interpolation.BILINEAR;
      case NEAREST -> Interpolation.NEAREST;
      default -> Interpolation.BICUBIC;
    };
    List<ImageTransform> steps = new ArrayList<>();
    switch (c.getGeometry()) {
      case SHORT_SIDE_CENTER_CROP -> {
        steps.add(new ResizeShortSide(size, interp));
        steps.add(new CenterCrop(size, size));
      }
      case RANDOM_RESIZED_CROP -> steps.add(new RandomResizedCrop(size, c.getScaleMin(),
          c.getScaleMax(), c.getRatioMin(), c.getRatioMax(), interp));
      default -> steps.add(new Resize(size, size, interp));
    }
    if (c.getHorizontalFlip()) {
      steps.add(new HorizontalFlip(0.5));
    }
    return new Pipeline(size, Compose.of(steps.toArray(ImageTransform[]::new)), normalizer(c));
  }

  static Normalizer normalizer(TransformConfig c) {
    if (c.getNormalization() == tfpeft.config.proto.Normalization.UNIT) {
      return Normalizer.unit();
    }
    float[][] ms = meanStd(c);
    return Normalizer.meanStd(ms[0], ms[1]);
  }

  /** The per-channel {mean, std} the normalization uses; UNIT is mean 0, std 1 (of x / 255). */
  public static float[][] meanStd(TransformConfig c) {
    return switch (c.getNormalization()) {
      case IMAGENET -> new float[][] {IMAGENET_MEAN.clone(), IMAGENET_STD.clone()};
      case CLIP -> new float[][] {CLIP_MEAN.clone(), CLIP_STD.clone()};
      case CUSTOM -> new float[][] {toArray(c.getMeanList()), toArray(c.getStdList())};
      default -> new float[][] {{0, 0, 0}, {1, 1, 1}};
    };
  }

  private static float[] toArray(List<Float> values) {
    float[] a = new float[values.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = values.get(i);
    }
    return a;
  }

  /** uint8 geometry and augmentation, then normalization into floats. */
  record Pipeline(int size, ImageTransform geometry, Normalizer normalizer) implements Preprocess {
    @Override
    public int height() {
      return size;
    }

    @Override
    public int width() {
      return size;
    }

    @Override
    public void apply(RgbImage image, SplittableRandom rng, float[] dst, int offset) {
      RgbImage out = geometry.apply(image, rng);
      if (out.width() != size || out.height() != size) {
        throw new IllegalStateException("transform " + geometry + " gave " + out + ", expected "
            + size + "x" + size);
      }
      normalizer.write(out, dst, offset);
    }
  }
}
