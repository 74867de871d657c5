/**
 * What a run reports as it goes: {@code metrics.jsonl} ({@link tfpeft.train.log.MetricsLog}),
 * a TensorBoard event file ({@link tfpeft.train.log.EventFile}), and progress on the terminal
 * ({@link tfpeft.train.log.Progress}). The two files can be cut back to a checkpoint's lengths
 * and continued, so a resumed run's logs read as one.
 */
package tfpeft.train.log;
