/**
 * FourierFT (Gao et al., ICML 2024, "Parameter-Efficient Fine-Tuning with Discrete Fourier
 * Transform", Sec. 3; official code Chaos96/fourierft): the weight update of a Linear is learned
 * as a sparse spectrum, n real coefficients at fixed random frequencies, and recovered as
 * alpha times the real part of its 2-D inverse DFT: W' = W + alpha Re(IDFT2(F)). The frequencies
 * ("entries") are drawn once from a seed and shared by every site of one shape (the official
 * ViT scripts' --share_entry), so a trained adapter is its coefficients plus the seed. The
 * inverse DFT is written with explicit cosine and sine bases ({@link
 * tfpeft.peft.fourierft.FourierSpectrum}); the update is linear in the coefficients and folds
 * into the weights at export.
 */
package tfpeft.peft.fourierft;
