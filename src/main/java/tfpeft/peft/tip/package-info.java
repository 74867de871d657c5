/**
 * TIP-Adapter and Tip-Adapter-F (Zhang et al., "Tip-Adapter: Training-free Adaption of CLIP for
 * Few-shot Classification", ECCV 2022), following the official code gaopengcuhk/Tip-Adapter
 * ({@code main.py}: {@code run_tip_adapter}, {@code run_tip_adapter_F}; {@code utils.py}:
 * {@code build_cache_model}, {@code search_hp}): a key-value cache of the few-shot images' CLIP
 * features whose affinities to a test image add class evidence to CLIP's zero-shot logits,
 *
 * <pre>  logits = clip_logits + alpha exp(-beta (1 - f K^T)) V</pre>
 *
 * (section 3.1), training-free, or with the keys K trained by the cross-entropy as a linear
 * layer initialized from the cache (Tip-Adapter-F, section 3.2).
 *
 * <ul>
 *   <li>{@link tfpeft.peft.tip.TipAdapter}: the training-free method ({@code tfpeft train}
 *       and {@code eval} with {@code method.tip_adapter}): the cache is built once the weights
 *       are loaded and kept in variables under {@code peft/tip_adapter/}; its logits are added
 *       to the classifier's.
 *   <li>{@link tfpeft.peft.tip.TipAdapterF}: Tip-Adapter-F ({@code method.tip_adapter_f}): the
 *       same cache, its keys trained, alpha and beta searched on validation after the last
 *       epoch (the official script chooses its epoch on the test split; tfpeft does not).
 *   <li>{@link tfpeft.peft.tip.TipCache}: the cache model, on host arrays and as graph ops.
 *   <li>{@link tfpeft.peft.tip.FewShotCache}: the cache encoded from the few-shot images, and
 *       the validation images the search scores.
 *   <li>{@link tfpeft.peft.tip.TipSearch}: alpha and beta chosen on validation images.
 * </ul>
 */
package tfpeft.peft.tip;
