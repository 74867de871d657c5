/**
 * Pear (prune and share adapters) and vanilla pruning.
 *
 * <p>Read in this order: {@link tfpeft.peft.pear.TaylorImportance} (what makes an adapter
 * important), {@link tfpeft.peft.pear.PearPlan} (the prune/share decision, matched by rank),
 * {@link tfpeft.peft.pear.PrunedKnowledge} (the DA and SBA knowledge checkpoint),
 * {@link tfpeft.peft.pear.SharedAdapters} (how one set of variables serves several positions: a
 * routing matrix over the stacked adapters, so the graph is built once and the prune step only
 * re-points it), {@link tfpeft.peft.pear.Pear} (the three acts) and
 * {@link tfpeft.peft.pear.PearMethod} (the trainer's view: what trains before and after the prune
 * step, the plan in checkpoints and the run directory). {@link tfpeft.peft.pear.PearPlanJson} is
 * the plan's file format.
 */
package tfpeft.peft.pear;
