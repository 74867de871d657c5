package tfpeft.peft;

/** How a model scores classes. */
public enum ClassifierKind {
  /** A linear head on the image features (ViT; linear probe on CLIP). */
  HEAD,
  /**
   * CLIP's text classifier with class features computed once by the frozen text tower and fed
   * in: the text tower does not run during steps.
   */
  TEXT_FEATURES,
  /**
   * CLIP's text classifier with class features computed in the graph every step, so gradients
   * reach the text tower or the method's prompts.
   */
  TEXT_ENCODER,
  /**
   * CLIP's text classifier whose class features depend on each image (CoCoOp's per-image
   * prompts): the method builds the logits [N, C] from the image features and the class prompts'
   * token ids ({@link Method#imageConditionedLogits}). The text tower runs on N x C prompts in
   * every training step and every evaluation batch (the token ids are fed there, no class
   * features are), and the served graph carries it with the prompts' ids as constants.
   */
  IMAGE_CONDITIONED
}
