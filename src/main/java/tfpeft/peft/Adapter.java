package tfpeft.peft;

import tfpeft.model.ModelVariable;

/**
 * The trainable variables of the adapter at one site: down [in, r] and up [r, out] (at 1 bit
 * these are the latent full-precision weights the quantizer reads).
 */
public record Adapter(String site, ModelVariable down, ModelVariable up) {
  public long in() {
    return down.shape().get(0);
  }

  public long rank() {
    return down.shape().get(1);
  }

  public long out() {
    return up.shape().get(1);
  }

  public long parameters() {
    return down.size() + up.size();
  }
}
