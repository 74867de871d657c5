package tfpeft.peft;

/** What a method's {@link Method#afterEpoch} did to the training step. */
public enum EpochOutcome {
  /** The same variables keep training. */
  UNCHANGED,
  /** The set of trainable variables changed: the trainer rebuilds its step. */
  TRAINABLE_CHANGED
}
