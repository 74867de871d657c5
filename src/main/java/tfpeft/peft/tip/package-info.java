/**
 * TIP-Adapter, training-free: a key-value cache of the few-shot images' CLIP features whose
 * affinities to a test image add class evidence to CLIP's zero-shot logits
 * ({@link tfpeft.peft.tip.TipCache}).
 */
package tfpeft.peft.tip;
