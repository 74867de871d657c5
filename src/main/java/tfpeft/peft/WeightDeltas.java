package tfpeft.peft;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.VariableValues;

/**
 * Updates that a method adds to Linear weights, W' = W + delta(theta), with delta computed in the
 * graph from the method's trained variable theta (FourierFT's spectrum, MoRA's square matrix),
 * and zero when theta is zero. Export folds them: each weight takes W + delta as the session
 * computes it (the same float32 sum the trained graph's weight hook makes, so the served model
 * gives the trained one's logits exactly), and theta is set to zero so the hooks add nothing.
 */
public final class WeightDeltas {
  /** One site's update: its trained variable and the [in, out] delta the graph computes. */
  public record Site(String site, ModelVariable trained, Operand<TFloat32> delta) {}

  private final List<Site> sites = new ArrayList<>();

  public void add(String site, ModelVariable trained, Operand<TFloat32> delta) {
    sites.add(new Site(site, trained, delta));
  }

  /** The sites that got an update, in build order. */
  public List<Site> sites() {
    return List.copyOf(sites);
  }

  /** Adds every delta into its Linear's weight and zeroes the variables it came from. */
  public void foldInto(Session session, Net net) {
    for (Site s : sites) {
      float[] delta;
      try (var r = session.runner().fetch(s.delta()).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        delta = new float[(int) t.size()];
        t.asRawTensor().data().asFloats().read(delta);
      }
      ModelVariable w = net.variable("backbone/" + s.site() + "/weight");
      float[] weight = VariableValues.read(session, w);
      if (weight.length != delta.length) {
        throw new IllegalStateException(s.site() + ": delta of " + delta.length
            + " values for a weight of " + weight.length);
      }
      for (int i = 0; i < weight.length; i++) {
        weight[i] += delta[i];
      }
      VariableValues.assign(session, w, weight);
      VariableValues.assign(session, s.trained(), new float[(int) s.trained().size()]);
    }
  }
}
