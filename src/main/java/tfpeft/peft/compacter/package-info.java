/**
 * Compacter (Mahabadi, Henderson and Ruder, "Compacter: Efficient Low-Rank Hypercomplex Adapter
 * Layers", NeurIPS 2021): bottleneck adapters whose matrices are parameterized hypercomplex
 * multiplication (PHM) layers, W = sum_{i=1..n} A_i (x) B_i (Sec. 3, Eq. 4), with the "slow"
 * rules A_i (n x n) shared by every adapter layer and the "fast" B_i = s_i t_i^T low-rank per
 * layer (Eq. 5, rank 1).
 *
 * <p>As in the official code (rabeehk/compacter: AdapterController, HyperComplexAdapter,
 * PHMLinear with factorized_phm and shared_phm_rule), an adapter reads a sublayer's output h and
 * returns h + up(gelu(down(h))) before the block's residual addition: Houlsby's place, after the
 * attention and after the feed-forward sublayer (Compacter), or after the feed-forward only
 * (Compacter++). On the ViT these are the outputs of the {@code attn/out} and {@code mlp/fc2}
 * sites. The shared rules are one variable read at every site, so one step sums their gradient
 * over all adapters, and an artifact stores them once. The GELU keeps the adapters out of the
 * backbone's weights: export keeps the hooks.
 */
package tfpeft.peft.compacter;
