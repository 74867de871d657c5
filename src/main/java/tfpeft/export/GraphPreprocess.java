package tfpeft.export;

import org.tensorflow.ConcreteFunction;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.While;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.DecodeImage;
import org.tensorflow.op.image.ScaleAndTranslate;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import tfpeft.config.proto.Geometry;
import tfpeft.config.proto.Interpolation;
import tfpeft.config.proto.TransformConfig;
import tfpeft.data.Transforms;

/**
 * The evaluation preprocessing of {@link Transforms} as graph ops, for a SavedModel that takes
 * encoded JPEG or PNG bytes: decode to RGB, resize (antialiased, Keys cubic a = -0.5 for bicubic,
 * triangle for bilinear, as Pillow), round to 8 bits as Pillow's uint8 images are, center-crop,
 * normalize. TensorFlow's decoder and resampler are not Pillow's, so pixels can differ by a level
 * or so from tfpeft's own pipeline; export reports the effect on the logits.
 */
final class GraphPreprocess {
  private GraphPreprocess() {}

  /**
   * A batch of encoded images (strings [N], each its own size and format) -> [N, size, size, 3]
   * normalized floats: a functional While over the batch decodes and preprocesses one image per
   * iteration with {@link #apply} (TensorFlow's decoders take one image at a time), appending it
   * to the result. TF Serving's REST "instances" and gRPC requests batch such an input.
   */
  static Operand<TFloat32> applyBatch(Ops tf, Operand<TString> encoded, TransformConfig t,
      int size) {
    Shape image = Shape.of(-1, size, size, 3);
    try (ConcreteFunction cond = ConcreteFunction.create(f -> {
          Placeholder<TInt32> i = f.placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
          Placeholder<TString> all = f.placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
          Placeholder<TFloat32> done = f.placeholder(TFloat32.class, Placeholder.shape(image));
          Operand<TInt32> n = f.gather(f.shape(all, TInt32.class), f.constant(0), f.constant(0));
          return Signature.builder().input("i", i).input("encoded", all).input("done", done)
              .output("more", f.math.less(i, n)).build();
        });
        ConcreteFunction body = ConcreteFunction.create(f -> {
          Placeholder<TInt32> i = f.placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
          Placeholder<TString> all = f.placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
          Placeholder<TFloat32> done = f.placeholder(TFloat32.class, Placeholder.shape(image));
          Operand<TFloat32> one = apply(f, f.gather(all, i, f.constant(0)), t, size);
          return Signature.builder().input("i", i).input("encoded", all).input("done", done)
              .output("i", f.math.add(i, f.constant(1))).output("encoded", f.identity(all))
              .output("done", f.concat(java.util.List.of(done, one), f.constant(0))).build();
        })) {
      Operand<TFloat32> none = tf.zeros(tf.constant(new int[] {0, size, size, 3}),
          TFloat32.class);
      While loop = tf.whileOp(java.util.List.of(tf.constant(0), encoded, none), cond, body,
          While.outputShapes(Shape.scalar(), Shape.of(-1), image));
      @SuppressWarnings("unchecked")
      Operand<TFloat32> images = (Operand<TFloat32>) loop.output().get(2);
      return tf.ensureShape(images, image);
    }
  }

  /** One encoded image (a scalar string) -> [1, size, size, 3] normalized floats. */
  static Operand<TFloat32> apply(Ops tf, Operand<TString> encoded, TransformConfig t, int size) {
    if (t.getGeometry() == Geometry.RANDOM_RESIZED_CROP) {
      throw new IllegalArgumentException("evaluation preprocessing cannot be a random crop");
    }
    Operand<TUint8> rgb = tf.image.decodeImage(encoded, new DecodeImage.Options[] {
        DecodeImage.channels(3L), DecodeImage.expandAnimations(false)});
    Operand<TFloat32> img = tf.expandDims(tf.dtypes.cast(rgb, TFloat32.class), tf.constant(0));
    Operand<TInt32> shape = tf.shape(rgb, TInt32.class);
    Operand<TFloat32> h = tf.dtypes.cast(tf.gather(shape, tf.constant(0), tf.constant(0)),
        TFloat32.class);
    Operand<TFloat32> w = tf.dtypes.cast(tf.gather(shape, tf.constant(1), tf.constant(0)),
        TFloat32.class);
    Operand<TInt32> outH;
    Operand<TInt32> outW;
    Operand<TFloat32> s = tf.constant((float) size);
    if (t.getGeometry() == Geometry.SHORT_SIDE_CENTER_CROP) {
      // torchvision's Resize(int): the short side becomes size, the long side int(size * l / s).
      Operand<TFloat32> shortSide = tf.math.minimum(h, w);
      outH = tf.dtypes.cast(tf.math.floor(tf.math.div(tf.math.mul(s, h), shortSide)),
          TInt32.class);
      outW = tf.dtypes.cast(tf.math.floor(tf.math.div(tf.math.mul(s, w), shortSide)),
          TInt32.class);
      outH = tf.select(tf.math.lessEqual(h, w), tf.constant(size), outH);
      outW = tf.select(tf.math.lessEqual(w, h), tf.constant(size), outW);
    } else {
      outH = tf.constant(size);
      outW = tf.constant(size);
    }
    Operand<TInt32> outSize = tf.stack(java.util.List.of(outH, outW));
    Operand<TFloat32> scale = tf.math.div(tf.dtypes.cast(outSize, TFloat32.class),
        tf.stack(java.util.List.of(h, w)));
    Operand<TFloat32> resized;
    if (t.getInterpolation() == Interpolation.NEAREST) {
      resized = tf.image.resizeNearestNeighbor(img, outSize,
          org.tensorflow.op.image.ResizeNearestNeighbor.halfPixelCenters(true));
    } else {
      String kernel = t.getInterpolation() == Interpolation.BILINEAR ? "triangle" : "keyscubic";
      resized = tf.image.scaleAndTranslate(img, outSize, scale, tf.constant(new float[] {0, 0}),
          ScaleAndTranslate.kernelType(kernel), ScaleAndTranslate.antialias(true));
    }
    Operand<TFloat32> u8 = tf.clipByValue(tf.math.round(resized), tf.constant(0f),
        tf.constant(255f));
    if (t.getGeometry() == Geometry.SHORT_SIDE_CENTER_CROP) {
      // torchvision's CenterCrop: top = round((h - size) / 2), left likewise.
      Operand<TInt32> top = tf.dtypes.cast(tf.math.round(tf.math.div(tf.dtypes.cast(
          tf.math.sub(outH, tf.constant(size)), TFloat32.class), tf.constant(2f))), TInt32.class);
      Operand<TInt32> left = tf.dtypes.cast(tf.math.round(tf.math.div(tf.dtypes.cast(
          tf.math.sub(outW, tf.constant(size)), TFloat32.class), tf.constant(2f))), TInt32.class);
      u8 = tf.slice(u8, tf.stack(java.util.List.of(tf.constant(0), top, left, tf.constant(0))),
          tf.constant(new int[] {1, size, size, 3}));
    }
    u8 = tf.ensureShape(u8, org.tensorflow.ndarray.Shape.of(1, size, size, 3));
    float[][] ms = Transforms.meanStd(t);
    Operand<TFloat32> x = tf.math.div(u8, tf.constant(255f));
    return tf.math.div(tf.math.sub(x, tf.constant(ms[0])), tf.constant(ms[1]));
  }
}
