/**
 * The contract between the trainer and the parameter-efficient methods.
 *
 * <p>A {@link tfpeft.peft.Method} acts at build time (site hooks on the backbone, its own
 * variables under {@code peft/<name>/}, which variables train, how classes are scored and with
 * which class-prompt templates, a transform of the final logits, an extra loss term) and at the
 * run's boundaries (once the starting weights are loaded, gradients before the optimizer, after
 * each epoch with figures for the metrics log, at the end of the run with its artifacts, state
 * saved in checkpoints, export). What the run holds besides the graph (tokenizer, pretrained
 * values, dataset) reaches it through {@link tfpeft.peft.RunResources}.
 *
 * <p>What the commands need of a method they ask the method, never switching on its name: whether
 * it needs CLIP and the checks of its own config ({@link tfpeft.peft.ConfigProblems}), how an
 * adapter artifact stores each trained variable ({@link tfpeft.peft.StoredTensor}) or why it
 * cannot, its storage accounting ({@link tfpeft.peft.AdapterAccounting}), what export folds,
 * and what inspect says of its state ({@link tfpeft.peft.TrainedState} in,
 * {@link tfpeft.peft.InspectSummary} out, the usual forms in
 * {@link tfpeft.peft.AdapterSummary}). Those members have no default.
 *
 * <p>The {@link tfpeft.peft.MethodRegistry} maps each member of the config's {@code method} oneof
 * to a factory, one line per method; it refuses duplicates and a factory that does not make its
 * member's method. One package per method family; the baselines live in {@code baseline}.
 *
 * <p>Methods sit on the model and data layers and use nothing of train, export, inspect, report
 * or cli (tfpeft.PackageLayersTest checks the sources): reading a run's checkpoint belongs to the
 * run directory's owner in train (for masks, {@code tfpeft.train.MaskRuns}), a tokenizer comes
 * from {@code tfpeft.model.text.RunTokenizer}.
 */
package tfpeft.peft;
