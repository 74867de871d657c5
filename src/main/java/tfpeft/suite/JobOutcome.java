package tfpeft.suite;

/**
 * How a job ended.
 *
 * @param state {@link JobState#SUCCEEDED} or {@link JobState#FAILED}
 * @param exitCode the process's exit code, or -1 where there is none (killed, cancelled)
 * @param detail what a user needs to act on a failure (scheduler state, signal, log path); empty
 *     on success
 */
public record JobOutcome(JobState state, int exitCode, String detail) {}
