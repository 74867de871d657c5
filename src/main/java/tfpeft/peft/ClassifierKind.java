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
  TEXT_ENCODER
}
