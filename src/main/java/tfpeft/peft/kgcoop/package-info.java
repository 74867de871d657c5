/**
 * KgCoOp (Yao, Zhang and Xu, "Visual-Language Prompt Tuning with Knowledge-guided Context
 * Optimization", CVPR 2023; official code htyao89/KgCoOp, KgCoOp/trainers/kgcoop.py).
 *
 * <p>CoOp's learned context (shared or per class, the class name at the end, middle or front:
 * {@link tfpeft.peft.prompt.CoopPrompts}) gives each class i a text feature w_i; the frozen text
 * tower on a hand-crafted prompt ("a photo of a {}.") gives w_i^clip. The objective is
 *
 * <pre>  L = L_ce + lambda L_kg,   L_kg = (1 / N_c) sum_i ||w_i - w_i^clip||_2^2</pre>
 *
 * with lambda = 8.0 (the paper, and its scripts' W). The official code computes the term as
 * 1 - mean_i cos(w_i, w_i^clip) on the normalized features (half the paper's for unit vectors);
 * it is the option {@code distance: ONE_MINUS_COS}. The official code takes one hand-crafted
 * template per dataset (its CUSTOM_TEMPLATES, CoOp's zero-shot templates); here they are the
 * run's templates (model.clip.templates, else the dataset's, else "a photo of a {}."), averaged
 * per class when there are several, computed once from the frozen tower. The official code also
 * makes an unused meta-net and adapter, and forces the phrase "a photo of a" when CTX_INIT is
 * set; neither is followed. Its base-to-new setting: ViT-B/16, n_ctx 4 from "a photo of a",
 * SGD lr 0.002, batch 128, 100 epochs, cosine with one constant warm-up epoch at 1e-5.
 */
package tfpeft.peft.kgcoop;
