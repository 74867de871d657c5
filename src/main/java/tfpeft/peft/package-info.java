/**
 * The contract between the trainer and the parameter-efficient methods.
 *
 * <p>A {@link tfpeft.peft.Method} acts at build time (site hooks on the backbone, its own
 * variables under {@code peft/<name>/}, which variables train, how classes are scored, an extra
 * loss term) and at the run's boundaries (gradients before the optimizer, after each epoch,
 * state saved in checkpoints, export). The {@link tfpeft.peft.MethodRegistry} maps each member
 * of the config's {@code method} oneof to a factory and refuses duplicates. One package per
 * method family; the baselines live in {@code baseline}.
 */
package tfpeft.peft;
