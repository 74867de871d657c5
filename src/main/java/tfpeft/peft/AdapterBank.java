package tfpeft.peft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.peft.quant.GaussianQuantizer;

/**
 * One adapter per site, created the first time a hook asks for it, under
 * {@code <prefix><site>/<down|up name>}. At 1 bit each matrix is read through the Gaussian-codebook
 * quantizer with its straight-through gradient.
 */
public final class AdapterBank implements AdapterWeights {
  private final String prefix;
  private final AdapterShape shape;
  private final Map<String, Adapter> adapters = new LinkedHashMap<>();
  private final Map<String, Pair> effective = new LinkedHashMap<>();

  /** @param prefix variable prefix ending in "/", e.g. "peft/lora/" */
  public AdapterBank(String prefix, AdapterShape shape) {
    this.prefix = prefix;
    this.shape = shape;
  }

  @Override
  public Pair at(Net net, String site, long in, long out) {
    Pair p = effective.get(site);
    if (p == null) {
      p = effective(net, create(net, site, in, out));
      effective.put(site, p);
    }
    return p;
  }

  /** The latent variables of the adapter at {@code site}, created if new. */
  public Adapter create(Net net, String site, long in, long out) {
    Adapter a = adapters.get(site);
    if (a == null) {
      String at = prefix + site + "/";
      ModelVariable down = net.variable(at + shape.downName(), new long[] {in, shape.rank()},
          shape.downInit(in));
      ModelVariable up = net.variable(at + shape.upName(), new long[] {shape.rank(), out},
          shape.upInit());
      a = new Adapter(site, down, up);
      adapters.put(site, a);
    }
    return a;
  }

  /** The matrices the model computes with: the variables, or their 1-bit quantization. */
  public Pair effective(Net net, Adapter a) {
    return new Pair(effective(net, a.down()), effective(net, a.up()));
  }

  private Operand<TFloat32> effective(Net net, ModelVariable v) {
    if (!shape.quantized()) {
      return v.value();
    }
    return GaussianQuantizer.quantize(net.scope(v.name() + "_1bit"), v.value());
  }

  /** Every adapter created so far, in creation (site) order. */
  public List<Adapter> adapters() {
    return new ArrayList<>(adapters.values());
  }

  public AdapterShape shape() {
    return shape;
  }

  public String prefix() {
    return prefix;
  }
}
