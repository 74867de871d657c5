/**
 * MoRA (Jiang et al. 2024, "MoRA: High-Rank Updating for Parameter-Efficient Fine-Tuning",
 * Sec. 3; official code kongds/MoRA): a Linear's update is one square matrix M of size r_hat
 * (r_hat^2 about LoRA's r (in + out) parameters), between a non-parameterized compression of the
 * input to r_hat values and a decompression back to the output width: Delta W x =
 * f_decomp(M f_comp(x)). Rank up to r_hat where LoRA's is r. The operators are the official
 * code's (the rotation one for small ranks by default, sharing as an option; {@link
 * tfpeft.peft.mora.MoraOperators}); being linear, the update is a matrix, added to the weight,
 * and export folds it.
 */
package tfpeft.peft.mora;
