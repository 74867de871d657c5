/**
 * The baselines every method is measured against, as methods: full fine-tuning, linear probing
 * and zero-shot CLIP.
 */
package tfpeft.peft.baseline;
