/**
 * TIP-Adapter, training-free (Zhang et al., ECCV 2022): a key-value cache of the few-shot images'
 * CLIP features whose affinities to a test image add class evidence to CLIP's zero-shot logits.
 *
 * <ul>
 *   <li>{@link tfpeft.peft.tip.TipCache}: the cache model, on host arrays and as graph ops.
 *   <li>{@link tfpeft.peft.tip.TipSearch}: alpha and beta chosen on validation images.
 *   <li>{@link tfpeft.peft.tip.ImageFeatures}: a split's image features, pass by pass.
 *   <li>{@link tfpeft.peft.tip.TipAdapterRun}: a whole run from a config, until the method
 *       contract lets the trainer prepare a cache and add to the classifier's logits.
 * </ul>
 */
package tfpeft.peft.tip;
