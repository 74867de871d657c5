/**
 * Regularized mask tuning (R-AMT, ICCV 2023): binary masks over frozen CLIP weights.
 *
 * <ul>
 *   <li>{@link tfpeft.peft.mask.MaskTargets} picks the weight group (AMT attention, MMT MLP, PMT
 *       both, the patch embedding with attention) in the image encoder, the text encoder or both.
 *   <li>{@link tfpeft.peft.mask.MaskSite} multiplies each chosen weight by 1[M > threshold] of a
 *       real-valued mask M, with the straight-through gradient of the shared dispatching gradient
 *       ({@link tfpeft.graph.GradientOverrides}); it can also build the frozen model beside the
 *       masked one.
 *   <li>{@link tfpeft.peft.mask.GradientDropout} is the regularity: purity P of the cross-entropy
 *       gradient against the gradient of the distillation to the frozen model, and the leaky
 *       dropout it drives.
 *   <li>{@link tfpeft.peft.mask.MaskObjective} holds the masks' L2 term and that distillation.
 *   <li>{@link tfpeft.peft.mask.MaskBits} stores masks one bit per weight;
 *       {@link tfpeft.peft.mask.MaskSparsity} reports the share of weights zeroed per layer.
 * </ul>
 */
package tfpeft.peft.mask;
