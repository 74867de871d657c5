/**
 * Regularized mask tuning (R-AMT, ICCV 2023): binary masks over frozen CLIP weights.
 *
 * <ul>
 *   <li>{@link tfpeft.peft.mask.MaskTuning} is the method the trainer runs: AMT / MMT / PMT,
 *       plain, with gradient dropout regularity, or with the distillation in the loss.
 *   <li>{@link tfpeft.peft.mask.MaskTargets} picks the weight group (AMT attention, MMT MLP, PMT
 *       both, the patch embedding with attention) in the image encoder, the text encoder or both.
 *   <li>{@link tfpeft.peft.mask.MaskSite} multiplies each chosen weight by 1[M > threshold] of a
 *       real-valued mask M, with the straight-through gradient of the shared dispatching gradient
 *       ({@link tfpeft.graph.GradientOverrides}); it also builds the frozen model beside the
 *       masked one.
 *   <li>{@link tfpeft.peft.mask.GradientDropout} is the regularity: purity P of the cross-entropy
 *       gradient against the gradient of the distillation to the frozen model, and the leaky
 *       dropout it drives. {@link tfpeft.peft.mask.MaskObjective} holds the masks' L2 term and
 *       that distillation. The other rules of R-AMT's Table 5 (reconstructed: the official code
 *       has none) are ProGrad's {@link tfpeft.peft.prograd.GradientProjection} and
 *       {@link tfpeft.peft.mask.GradientAgreement}; {@code gradient_rule} picks one.
 *   <li>{@link tfpeft.peft.mask.MaskBits} packs masks one bit per weight;
 *       {@link tfpeft.peft.mask.MaskArtifact} is the bit-packed file ({@code masks.pb}) and reads
 *       the masks of a run's checkpoint; {@link tfpeft.peft.mask.MaskSparsity} and
 *       {@link tfpeft.peft.mask.MaskInspection} report the share of weights zeroed per layer.
 *   <li>{@link tfpeft.peft.mask.MaskedBackbone} multiplies a run's masks into a backbone: the
 *       masked encoder that R-AMT + CoOp and R-AMT + TIP-Adapter start from.
 * </ul>
 */
package tfpeft.peft.mask;
