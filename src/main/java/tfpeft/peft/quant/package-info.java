/**
 * Quantization of adapter weights: the Gaussian-codebook 1-bit quantizer of 1-bit adapters
 * ("Bi-LoRA", "Bi-AdaptFormer"), its straight-through gradient (through
 * {@link tfpeft.graph.GradientOverrides}), and the packed form the adapters are stored in.
 */
package tfpeft.peft.quant;
