/**
 * The Slurm executor: a suite's jobs as one Slurm job array per call, followed until each ends.
 *
 * <p>{@link tfpeft.suite.slurm.JobArrayScript} writes what a task runs (a jobs file and one batch
 * script that picks its line by SLURM_ARRAY_TASK_ID and records the exit code);
 * {@link tfpeft.suite.slurm.SlurmStates} reads squeue and sacct and maps Slurm's states;
 * {@link tfpeft.suite.slurm.SlurmLedger} is what is kept in the suite directory so that a later
 * process follows the same jobs; {@link tfpeft.suite.slurm.SlurmExecutor} ties them together.
 * Every Slurm command goes through {@link tfpeft.suite.slurm.SlurmCommands}, which tests answer
 * with canned output, or a real single-node cluster (tools/slurm/start-local-cluster.sh).
 */
package tfpeft.suite.slurm;
