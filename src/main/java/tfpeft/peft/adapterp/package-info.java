/**
 * Adapter-P (Pfeiffer et al., "AdapterFusion: Non-Destructive Task Composition for Transfer
 * Learning", EACL 2021, Sec. 3; the adapter architecture the paper selects): one bottleneck
 * adapter per transformer block, after the feed-forward sublayer only, applied sequentially with
 * its own residual, Adapter(h, r) = U(ReLU(D(h))) + r.
 *
 * <p>On the pre-norm ViT the adapter's input h and residual r are both the block's output after
 * the MLP's residual addition, z = x + mlp(ln2(x)), as adapter-transformers computes it for ViT
 * (its "SeqBn" config: original_ln_before, residual_before_ln, the MLP output plus the block's
 * input enter the adapter, no LayerNorm since ViT's are before the sublayers); so the block ends
 * in z + U(ReLU(D(z))). The ReLU keeps the adapter out of any weight: export keeps the hooks.
 */
package tfpeft.peft.adapterp;
