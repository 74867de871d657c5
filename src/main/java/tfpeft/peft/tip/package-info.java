/**
 * TIP-Adapter, training-free (Zhang et al., ECCV 2022): a key-value cache of the few-shot images'
 * CLIP features whose affinities to a test image add class evidence to CLIP's zero-shot logits.
 *
 * <ul>
 *   <li>{@link tfpeft.peft.tip.TipAdapter}: the method the trainer runs ({@code tfpeft train}
 *       and {@code eval} with {@code method.tip_adapter}): the cache is built once the weights
 *       are loaded and kept in variables under {@code peft/tip_adapter/}; its logits are added
 *       to the classifier's.
 *   <li>{@link tfpeft.peft.tip.TipCache}: the cache model, on host arrays and as graph ops.
 *   <li>{@link tfpeft.peft.tip.TipSearch}: alpha and beta chosen on validation images.
 * </ul>
 */
package tfpeft.peft.tip;
