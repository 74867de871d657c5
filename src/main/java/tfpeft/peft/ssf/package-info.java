/**
 * SSF (Lian, Zhou, Feng and Wang, NeurIPS 2022, "Scaling &amp; Shifting Your Features: A New
 * Baseline for Efficient Model Tuning"): the backbone stays frozen and after each operation of
 * the image encoder the features are scaled and shifted per channel, y = gamma * x + beta
 * (Eq. 1, SSF-ADA), gamma and beta of the operation's output width, trained with the head.
 *
 * <p>Where: the official code (dongzelian/SSF, models/vision_transformer.py) puts one pair after
 * the patch embedding's projection, after each block's fused qkv projection (here q, k and v
 * are separate Linears, so three pairs of width D hold what its one pair of 3D holds), after the
 * attention's output projection, after fc1 (before the GELU) and fc2, after each block's two
 * LayerNorms, and after the final LayerNorm ({@link tfpeft.peft.ssf.ScaleShiftSites}). Init:
 * gamma ~ N(1, 0.02^2), beta ~ N(0, 0.02^2) (its init_ssf_scale_shift). Its optimizer puts
 * every 1-D parameter in the no-decay group, so the vectors take no weight decay.
 *
 * <p>Export re-parameterizes (Eq. 2): after a Linear y = x W + b, gamma * y + beta =
 * x (W diag(gamma)) + (gamma * b + beta); after a LayerNorm with affine (g, b) the pair folds into
 * it as (gamma * g, gamma * b + beta). The patch embedding of CLIP has no bias: its shift joins the
 * patch rows of the position embedding, which is added right after. A targeted Linear with no
 * bias anywhere else cannot take its shift, and export then keeps the hooks
 * ({@link tfpeft.peft.ssf.ScaleShiftFold}).
 */
package tfpeft.peft.ssf;
