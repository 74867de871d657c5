/**
 * The trainer and what surrounds it.
 *
 * <p>Every command that works on a run's model opens it through one
 * {@link tfpeft.train.RunSession}: the graph built once, the method's state restored, the base
 * weights (or a checkpoint's tensors) in a session, a checkpoint restored or an artifact applied,
 * the method prepared; {@link tfpeft.train.GraphFeeds} feeds a run call's controls and class
 * input. {@link tfpeft.train.RunDirectory} owns what is read from a run's directory (its config
 * as placed now, which checkpoint, its variables checked whole, the classes of its report), a
 * checkpoint its method state.
 *
 * <p>{@link tfpeft.train.Trainer} runs a config: {@link tfpeft.train.TrainGraph} builds the
 * backbone with the method's hooks, the classifier and the loss; {@link tfpeft.train.TrainStep}
 * the gradients of what the method trains, its gradient transform, clipping and the
 * {@link tfpeft.train.Optimizer} update, with the rate fed per step from the
 * {@link tfpeft.train.LearningRateSchedule}; {@link tfpeft.train.Evaluator} and
 * {@link tfpeft.train.EvalMetrics} score splits. A run lives in a
 * {@link tfpeft.train.RunDirectory}: {@link tfpeft.train.RunState} keeps its position and logs,
 * {@link tfpeft.train.RunResumption} decides where it starts, {@link tfpeft.train.RunReport}
 * writes its result. {@link tfpeft.train.RunEvaluation}, {@link tfpeft.train.RunStatistics} and
 * {@link tfpeft.train.TrainingBench} serve {@code eval} and {@code bench --config}.
 *
 * <p>Determinism is a design rule, not a hope: every random choice is keyed by (seed, epoch,
 * step, example), and no variable changes before every gradient of a step is computed, so a run
 * resumed from a checkpoint ends bit for bit where an uninterrupted one ends.
 */
package tfpeft.train;
