package tfpeft.train.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import tfpeft.config.proto.TransformConfig;
import tfpeft.config.proto.VitConfig;
import tfpeft.data.PretrainIndex;
import tfpeft.data.Transforms;
import tfpeft.model.Init;
import tfpeft.model.Linear;
import tfpeft.model.Net;
import tfpeft.model.VisionTransformer;
import tfpeft.model.VitClassifier;

/**
 * Supervised pretraining of a small ViT on the synthetic attributes: one linear head per
 * attribute (shape, colour, size, texture, background, count, position, orientation, distance) on
 * the pooled feature, each a cross-entropy over the images where the attribute applies, averaged.
 * The heads are dropped afterwards; only the backbone is kept.
 */
public final class VitPretrainer {
  private VitPretrainer() {}

  /** Trains and writes the backbone; returns the number of backbone parameters. */
  public static long run(PretrainOptions o, Consumer<String> log) {
    VitConfig vit = o.model().getVit();
    PretrainIndex index = PretrainIndex.read(o.suite());
    List<String> attrs = index.attributes();
    log.accept(index.split().size() + " pretraining images, attributes " + attrs);
    try (Graph g = new Graph()) {
      Net net = new Net(g, o.seed());
      Ops tf = net.tf();
      Placeholder<TFloat32> images = net.named("images").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, vit.getImageSize(), vit.getImageSize(), 3)));
      Operand<TFloat32> feats = VisionTransformer.features(net, images, VitClassifier.spec(vit),
          o.training().getDropPath() > 0 ? 1f : 0f);
      List<Placeholder<TFloat32>> targets = new ArrayList<>();
      Operand<TFloat32> total = tf.constant(0f);
      for (String a : attrs) {
        int n = index.classNames(a).size();
        Operand<TFloat32> logits = Linear.apply(net, "pretrain/", a, feats,
            vit.getWidth(), n, true, Init.truncNormal(0.02f));
        Placeholder<TFloat32> onehot = net.named("targets/" + a).placeholder(TFloat32.class,
            Placeholder.shape(Shape.of(-1, n)));
        targets.add(onehot);
        // rows with no label (all zeros) contribute neither loss nor gradient
        Operand<TFloat32> mask = tf.reduceSum(onehot, tf.constant(1));
        Operand<TFloat32> ce = tf.nn.softmaxCrossEntropyWithLogits(logits, onehot).loss();
        Operand<TFloat32> mean = tf.math.div(tf.reduceSum(tf.math.mul(ce, mask),
            tf.constant(0)), tf.math.maximum(tf.reduceSum(mask, tf.constant(0)),
            tf.constant(1f)));
        total = tf.math.add(total, mean);
      }
      Operand<TFloat32> loss = tf.math.div(total, tf.constant((float) attrs.size()));
      StepLoop loop = new StepLoop(net, loss, net.variables(), o.training());
      try (Session s = new Session(g)) {
        s.initialize();
        loop.run(s, index.split(), Transforms.build(TransformConfig.getDefaultInstance(),
            vit.getImageSize()), o.threads(), o.seed(), images, (runner, batch) -> {
              List<Tensor> fed = new ArrayList<>();
              for (int a = 0; a < attrs.size(); a++) {
                int n = index.classNames(attrs.get(a)).size();
                float[] y = new float[batch.size() * n];
                for (int k = 0; k < batch.size(); k++) {
                  int label = index.label(batch.examples()[k], a);
                  if (label >= 0) {
                    y[k * n + label] = 1f;
                  }
                }
                TFloat32 t = TFloat32.tensorOf(Shape.of(batch.size(), n), DataBuffers.of(y));
                fed.add(t);
                runner.feed(targets.get(a), t);
              }
              return fed;
            }, log);
        return PretrainedBackbone.write(o.out(), net, s, o.model(),
            TransformConfig.getDefaultInstance());
      }
    }
  }
}
