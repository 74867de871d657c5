package tfpeft.cli;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

public final class Main {
  public static void main(String[] args) {
    System.out.println("TF " + TensorFlow.version());
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      var c = tf.math.add(tf.constant(1f), tf.constant(2f));
      try (TFloat32 t = (TFloat32) s.runner().fetch(c).run().get(0)) {
        System.out.println(t.getFloat());
      }
    }
  }
}
