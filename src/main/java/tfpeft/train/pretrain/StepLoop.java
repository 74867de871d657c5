package tfpeft.train.pretrain;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import tfpeft.model.GraphControls;
import tfpeft.config.proto.TrainingConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.Batch;
import tfpeft.data.InputPipeline;
import tfpeft.data.Preprocess;
import tfpeft.data.Split;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.train.LearningRateSchedule;
import tfpeft.train.TrainStep;

/**
 * Epochs of optimizer steps over a split: batches from the input pipeline, the learning rate from
 * the schedule, gradients of {@code loss} for every variable given, and a hook that feeds each
 * batch's targets. A NaN or infinite loss stops the run naming the step.
 */
final class StepLoop {
  /** Adds a batch's own feeds (labels, captions) and returns tensors to close after the step. */
  interface BatchFeeds {
    List<Tensor> feed(Session.Runner runner, Batch batch);
  }

  private final Net net;
  private final Operand<TFloat32> loss;
  private final TrainStep trainStep;
  private final TrainingConfig config;

  StepLoop(Net net, Operand<TFloat32> loss, List<ModelVariable> vars, TrainingConfig config) {
    this.net = net;
    this.loss = loss;
    this.config = config;
    this.trainStep = TrainStep.build(net, loss, vars, config, 0, g -> g);
  }

  void run(Session session, Split split, Preprocess preprocess, int threads, long seed,
      org.tensorflow.op.core.Placeholder<TFloat32> images, BatchFeeds feeds,
      Consumer<String> log) {
    var opts = new InputPipeline.Options(config.getBatchSize(), true, true, threads, 3, seed);
    long step = 0;
    try (InputPipeline pipeline = new InputPipeline(split, preprocess, opts,
        BadExamples.strict())) {
      LearningRateSchedule schedule = new LearningRateSchedule(config,
          pipeline.batchesPerEpoch());
      for (int epoch = 0; epoch < config.getEpochs(); epoch++) {
        long start = System.nanoTime();
        double lossSum = 0;
        int batches = 0;
        float rate = 0;
        int images0 = 0;
        for (Iterator<Batch> it = pipeline.epoch(epoch); it.hasNext(); ) {
          Batch b = it.next();
          step++;
          rate = schedule.at(epoch, batches);
          float value = step(session, b, images, feeds, step, rate, seed);
          if (!Float.isFinite(value)) {
            throw tfpeft.TfpeftException.failure("the loss is " + value + " at epoch "
                + (epoch + 1) + " step " + step + "; lower training.learning_rate or clip "
                + "gradients (training.clip_grad_norm)");
          }
          lossSum += value;
          batches++;
          images0 += b.size();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        log.accept(String.format("epoch %d/%d  loss %.4f  lr %.2e  %.0f images/s", epoch + 1,
            config.getEpochs(), lossSum / Math.max(1, batches), rate,
            images0 / secs));
      }
    }
  }

  private float step(Session session, Batch b, org.tensorflow.op.core.Placeholder<TFloat32> images,
      BatchFeeds feeds, long step, float rate, long seed) {
    List<Tensor> owned = new ArrayList<>();
    try (GraphControls controls = GraphControls.training(config.getDropPath(),
        TrainStep.stepSeed(seed, step))) {
      int n = b.size();
      float[] px = b.images().length == n * b.imageFloats() ? b.images()
          : java.util.Arrays.copyOf(b.images(), n * b.imageFloats());
      TFloat32 x = TFloat32.tensorOf(Shape.of(n, b.height(), b.width(), 3), DataBuffers.of(px));
      owned.add(x);
      Session.Runner r = controls.feed(net, session.runner().feed(images, x))
          .addTarget(trainStep.update()).fetch(loss);
      owned.addAll(feeds.feed(r, b));
      owned.addAll(trainStep.feed(r, step, rate));
      try (var result = r.run()) {
        return ((TFloat32) result.get(0)).getFloat();
      }
    } finally {
      owned.forEach(Tensor::close);
    }
  }
}
