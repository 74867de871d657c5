/**
 * Suites: many runs (tasks x methods x seeds, with a per-task search) described by one suite
 * config, executed locally or on a Slurm cluster, and written out as the papers' tables.
 *
 * <p>The runner decides which runs exist and which are finished; a {@link tfpeft.suite.SuiteExecutor}
 * only executes the jobs it is given and reports their states.
 */
package tfpeft.suite;
