/**
 * FacT (Jie and Deng, "FacT: Factor-Tuning for Lightweight Adaptation on Vision Transformer",
 * AAAI 2023; official code JieShibo/PETL-ViT, FacT/). The weights of a ViT's blocks are viewed as
 * one tensor of 12L slices of width x width (q, k, v, output, and fc1 and fc2 cut into four
 * each; {@link tfpeft.peft.fact.FactLayout}), and its increment is trained in factored form:
 * slice p changes by delta W_p = s * U Sigma_p V^T, with U and V shared by all 12L positions.
 * FacT-TT (tensor-train) trains one r x r core Sigma_p per slice; FacT-TK (Tucker) derives
 * Sigma_p = C x_3 P[:, p] from one core tensor C [r, r, r] and a position factor P [r, 12L].
 * While training the increment runs as a path beside each Linear, x -> s * V(dropout(Sigma(U x))),
 * as the official code computes it ({@link tfpeft.peft.fact.FactSite}); export folds it into the
 * weights ({@link tfpeft.peft.fact.FactFold}), so the served model is the plain backbone.
 */
package tfpeft.peft.fact;
