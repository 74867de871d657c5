/**
 * CLIP-Adapter (Gao et al., "CLIP-Adapter: Better Vision-Language Models with Feature
 * Adapters", IJCV 2023, arXiv 2110.04544), following the official code
 * gaopengcuhk/CLIP-Adapter, {@code clip_adapter.py} ({@code Adapter}, {@code CustomCLIP}).
 *
 * <p>With f the projected image feature of the frozen image encoder (before normalization) and
 * W the class text features of the frozen text encoder from the hand-crafted templates:
 *
 * <pre>
 *   A_v(f) = ReLU(ReLU(f W1) W2)                      (Eq. 1; W1 [E, E/4], W2 [E/4, E], no bias)
 *   f'     = alpha A_v(f) + (1 - alpha) f             (Eq. 3; official alpha 0.2)
 *   logits = exp(logit_scale) cos(f', W)              (Eq. 4; CLIP's 100 cos)
 * </pre>
 *
 * and the text-side variant (option {@code text}) W' = beta A_t(W) + (1 - beta) W. Only the
 * adapters train, with the cross-entropy.
 *
 * <ul>
 *   <li>{@link tfpeft.peft.clipadapter.ClipAdapter}: the method ({@code method.clip_adapter}).
 *   <li>{@link tfpeft.peft.clipadapter.FeatureAdapter}: the adapter as a hook on the output of
 *       the towers' projection sites ({@code proj}, {@code text/proj}).
 * </ul>
 */
package tfpeft.peft.clipadapter;
