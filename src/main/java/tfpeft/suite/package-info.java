/**
 * Suites: many runs (tasks x methods x seeds, with a per-task search) described by one suite
 * config, executed locally or on a Slurm cluster, and written out as the papers' tables.
 *
 * <p>The pieces, in the order a suite goes through them: {@link tfpeft.suite.SuitePlan} expands
 * the suite config into settings (the table's cells), search grids and runs, by name only;
 * {@link tfpeft.suite.SuitePreparation} builds and validates every run's config before anything
 * is written; {@link tfpeft.suite.SuiteRunner} runs the stages (the search, the selected points'
 * other seeds, the transfer evaluations), skipping finished runs and retrying a failed one once,
 * with {@link tfpeft.suite.Selection} choosing each setting's point on validation accuracy;
 * {@link tfpeft.suite.SuiteReport} reads the finished runs back ({@link tfpeft.suite.RunResults})
 * into the tables.
 *
 * <p>The runner decides which runs exist and which are finished; a {@link tfpeft.suite.SuiteExecutor}
 * only executes the jobs it is given and reports their states. {@link
 * tfpeft.suite.SuiteExecutors} is the one place an executor is chosen from the suite config:
 * {@link tfpeft.suite.LocalExecutor} runs processes of tfpeft on this machine,
 * {@link tfpeft.suite.slurm.SlurmExecutor} submits them to a Slurm cluster as job arrays.
 */
package tfpeft.suite;
