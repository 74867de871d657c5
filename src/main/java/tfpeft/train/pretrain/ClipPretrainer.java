package tfpeft.train.pretrain;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.tensorflow.types.TInt32;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.Normalization;
import tfpeft.config.proto.TransformConfig;
import tfpeft.data.PretrainIndex;
import tfpeft.data.Preprocess;
import tfpeft.data.Transforms;
import tfpeft.model.ClipModel;
import tfpeft.model.Net;
import tfpeft.model.text.BpeTrainer;
import tfpeft.model.text.BpeVocabulary;
import tfpeft.model.text.ClipTokenizer;
import tfpeft.util.AtomicFiles;

/**
 * Contrastive pretraining of the small CLIP on the synthetic image-caption pairs: a BPE
 * vocabulary is learned from the captions, then the symmetric InfoNCE loss over each batch
 * (image i matches caption i), as CLIP is trained. Afterwards the zero-shot accuracy of every task
 * of the suite is measured on its test split ({@link ZeroShotEval}).
 */
public final class ClipPretrainer {
  private ClipPretrainer() {}

  /** The preprocessing of the small CLIP: resize to its size, CLIP's mean and std. */
  public static TransformConfig transform() {
    return TransformConfig.newBuilder().setNormalization(Normalization.CLIP).build();
  }

  public static long run(PretrainOptions o, Consumer<String> log) {
    PretrainIndex index = PretrainIndex.read(o.suite());
    BpeVocabulary vocab = BpeTrainer.train(index.captions(), o.merges());
    BpeTrainer.write(vocab, o.out());
    ClipTokenizer tokenizer = new ClipTokenizer(vocab);
    ClipConfig clip = o.model().getClip().toBuilder().setVocabSize(tokenizer.vocabSize()).build();
    ModelConfig model = ModelConfig.newBuilder().setClip(clip).build();
    int ctx = clip.getContextLength();
    int[][] ids = tokenizer.tokenizeAll(index.captions(), ctx, true);
    log.accept(index.split().size() + " image-caption pairs, vocabulary of "
        + tokenizer.vocabSize() + " tokens, context " + ctx);
    try (Graph g = new Graph()) {
      Net net = new Net(g, o.seed());
      Ops tf = net.tf();
      ClipModel.Spec spec = ClipModel.spec(clip);
      Placeholder<TFloat32> images = net.named("images").placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, clip.getImageSize(), clip.getImageSize(), 3)));
      Placeholder<TInt32> text = net.named("text_ids").placeholder(TInt32.class,
          Placeholder.shape(Shape.of(-1, ctx)));
      Operand<TFloat32> img = net.named("image_features").identity(
          ClipModel.imageFeatures(net, images, spec, 0f));
      Operand<TFloat32> txt = net.named("text_features").identity(
          ClipModel.textFeatures(net, text, spec));
      Operand<TFloat32> logits = ClipModel.logits(net, img, txt);
      Operand<TInt32> n = tf.slice(tf.shape(img), tf.constant(new int[] {0}),
          tf.constant(new int[] {1}));
      Operand<TInt32> scalarN = tf.reshape(n, tf.constant(new int[0]));
      Operand<TFloat32> eye = tf.oneHot(tf.range(tf.constant(0), scalarN, tf.constant(1)),
          scalarN, tf.constant(1f), tf.constant(0f));
      Operand<TFloat32> perImage = tf.nn.softmaxCrossEntropyWithLogits(logits, eye).loss();
      Operand<TFloat32> perText = tf.nn.softmaxCrossEntropyWithLogits(
          tf.linalg.transpose(logits, tf.constant(new int[] {1, 0})), eye).loss();
      Operand<TFloat32> loss = tf.math.mul(tf.constant(0.5f), tf.math.add(
          tf.math.mean(perImage, tf.constant(0)), tf.math.mean(perText, tf.constant(0))));
      StepLoop loop = new StepLoop(net, loss, net.variables(), o.training());
      Preprocess pre = Transforms.build(transform(), clip.getImageSize());
      try (Session s = new Session(g)) {
        s.initialize();
        loop.run(s, index.split(), pre, o.threads(), o.seed(), images, (runner, batch) -> {
          int[] flat = new int[batch.size() * ctx];
          for (int k = 0; k < batch.size(); k++) {
            System.arraycopy(ids[batch.examples()[k]], 0, flat, k * ctx, ctx);
          }
          TInt32 t = TInt32.tensorOf(Shape.of(batch.size(), ctx), DataBuffers.of(flat));
          runner.feed(text, t);
          List<Tensor> fed = new ArrayList<>();
          fed.add(t);
          return fed;
        }, log);
        long params = PretrainedBackbone.write(o.out(), net, s, model, transform());
        ZeroShotEval eval = new ZeroShotEval(s, net, images, img, text, txt, tokenizer, ctx, pre,
            o.threads());
        Map<String, Object> report = new LinkedHashMap<>();
        for (ZeroShotEval.TaskResult r : eval.suite(o.suite())) {
          log.accept(String.format("zero-shot %-12s %5.1f%%  (chance %4.1f%%)", r.task(),
              100 * r.accuracy(), 100 * r.chance()));
          report.put(r.task(), Map.of("accuracy", r.accuracy(), "chance", r.chance(),
              "test_images", r.images()));
        }
        AtomicFiles.writeString(o.out().resolve("zero_shot.json"),
            new GsonBuilder().setPrettyPrinting().create().toJson(report) + "\n");
        return params;
      }
    }
  }
}
