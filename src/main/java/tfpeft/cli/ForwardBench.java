package tfpeft.cli;

import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import tfpeft.model.GraphControls;
import tfpeft.config.proto.ModelConfig;
import tfpeft.model.BuiltModel;
import tfpeft.model.ModelFlops;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;

/** Forward throughput of a backbone's image path (weights at their initial values). */
final class ForwardBench {
  record Result(long parameters, double imagesPerSecond, double gflopsPerImage, int ops,
      double buildSeconds) {
    double achievedGflops() {
      return imagesPerSecond * gflopsPerImage;
    }
  }

  private ForwardBench() {}

  static Result run(ModelConfig model, int batch, int steps) {
    int size = BuiltModel.imageSize(model);
    try (Graph g = new Graph()) {
      long built = System.nanoTime();
      Net net = new Net(g, 1);
      BuiltModel m = BuiltModel.build(net, model, 1000, false);
      double buildSeconds = (System.nanoTime() - built) / 1e9;
      int ops = 0;
      for (var it = g.operations(); it.hasNext(); it.next()) {
        ops++;
      }
      long params = net.variables().stream().mapToLong(ModelVariable::size).sum();
      float[] px = new float[batch * size * size * 3];
      SplittableRandom rng = new SplittableRandom(1);
      for (int i = 0; i < px.length; i++) {
        px[i] = (float) rng.nextDouble();
      }
      try (Session s = new Session(g);
          TFloat32 x = TFloat32.tensorOf(Shape.of(batch, size, size, 3), DataBuffers.of(px));
          GraphControls controls = GraphControls.evaluation()) {
        s.initialize();
        Runnable step = () -> {
          try (var r = controls.feed(net, s.runner().feed(m.images(), x))
              .fetch(m.features()).run()) {
            r.get(0);
          }
        };
        step.run();
        step.run();
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
          step.run();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        return new Result(params, batch * steps / secs, ModelFlops.forward(model) / 1e9, ops,
            buildSeconds);
      }
    }
  }
}
