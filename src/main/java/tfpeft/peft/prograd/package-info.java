/**
 * ProGrad (Zhu, Niu, Han, Zhang and Zhang, "Prompt-aligned Gradient for Prompt Tuning", ICCV
 * 2023), following the official code BeierZhu/Prompt-align: {@code trainers/prograd.py}
 * (the zero-shot CLIP teacher and {@code ProGradLoss}) and the Dassl fork's
 * {@code TrainerBase.prograd_backward_and_update} (the projection).
 *
 * <ul>
 *   <li>{@link tfpeft.peft.prograd.Prograd} is the method: CoOp's context, the frozen zero-shot
 *       CLIP beside it (hand-crafted prompts), and the projected gradient.
 *   <li>{@link tfpeft.peft.prograd.GradientProjection} is Eq. 6: with G_d the cross-entropy's
 *       gradient and G_g the gradient of L_kl = -sum_c p_zs,c log p_c (T = 1, the KL from the
 *       zero-shot prediction to the prompted one, up to the teacher's entropy),
 *       G = G_d - lambda (G_d . G_g / |G_g|^2) G_g where G_d . G_g &lt; 0, else G_d; one dot
 *       product per parameter tensor as the official loop over {@code parameters()}.
 *   <li>What the official code settles that the paper leaves open: lambda 1.0 by default (0.8
 *       for 8 and 16 shots of Flowers102, DTD and EuroSAT), temperature 1.0, and the loss the
 *       optimizer sees is the cross-entropy alone: the KL's gradient only directs.
 *   <li>{@link tfpeft.peft.mask.MaskTuning} reuses the projection as R-AMT's AMT + ProGrad
 *       ablation (gradient rule {@code PROJECTION}).
 * </ul>
 */
package tfpeft.peft.prograd;
