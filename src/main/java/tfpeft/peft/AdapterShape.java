package tfpeft.peft;

/**
 * How the adapters of one method are made: the names of the two matrices, the hidden dimension
 * (LoRA's rank r, AdaptFormer's bottleneck), and the precision. Every adapter is a pair
 * down [in, r] then up [r, out].
 *
 * <p>Initialization follows the reference implementations: down is uniform in +-1/sqrt(in)
 * (PyTorch's default Linear init, kaiming_uniform with a = sqrt 5); up is zero at full precision,
 * so training starts from the pretrained model, and at 1 bit normal with std 1e-3 truncated at
 * two std, because a constant matrix has no spread for the quantizer to normalize by.
 *
 * @param bits 0 for float32, 1 for 1-bit adapters
 */
public record AdapterShape(String downName, String upName, int rank, int bits) {
  public AdapterShape {
    if (rank < 1) {
      throw new IllegalArgumentException("rank " + rank);
    }
    if (bits != 0 && bits != 1) {
      throw new IllegalArgumentException("bits " + bits + " (0 or 1)");
    }
  }

  public boolean quantized() {
    return bits == 1;
  }

  tfpeft.model.Init downInit(long in) {
    return new tfpeft.model.Init.Uniform((float) (1.0 / Math.sqrt(in)));
  }

  tfpeft.model.Init upInit() {
    return quantized() ? tfpeft.model.Init.truncNormal(1e-3f) : tfpeft.model.Init.zeros();
  }
}
