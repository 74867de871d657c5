/**
 * ViT and CLIP as graph builders made of small layers ({@link tfpeft.model.Linear},
 * {@link tfpeft.model.LayerNorm}, {@link tfpeft.model.Attention}, {@link tfpeft.model.Mlp},
 * {@link tfpeft.model.Block}), read top to bottom like the papers.
 *
 * <p>Every weight-bearing layer is built through a named site ({@code block3/attn/q},
 * {@code block3/mlp}, {@code block3/in}) where a method's {@link tfpeft.model.SiteHook} attaches;
 * the backbone knows no method. {@link tfpeft.model.Net} holds the graph and its variables:
 * the frozen backbone under {@code backbone/}, a method's under {@code peft/<name>/}, the head
 * under {@code head/}, and the per-step controls every stochastic layer reads (drop-path rate,
 * step seed, training flag), which {@link tfpeft.model.GraphControls} feeds as one. The
 * backbone's matrix products go through {@link tfpeft.model.MixedPrecision}, which runs them in
 * the net's precision (training.precision) between float32 tensors, so layers and methods see
 * float32 whatever the precision.
 * {@code model.weights} reads and writes weight files, {@code model.imports}
 * maps foreign checkpoints, {@code model.text} is CLIP's tokenizer.
 */
package tfpeft.model;
