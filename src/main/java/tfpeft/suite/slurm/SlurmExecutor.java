package tfpeft.suite.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tfpeft.TfpeftException;
import tfpeft.config.proto.SlurmConfig;
import tfpeft.suite.JobOutcome;
import tfpeft.suite.JobState;
import tfpeft.suite.SuiteExecutor;
import tfpeft.suite.SuiteJob;
import tfpeft.util.AtomicFiles;
import tfpeft.util.DirectoryLock;

/**
 * Runs a suite's jobs as one Slurm job array per call: writes the array's script and jobs file
 * into SUITE/slurm/, submits it with {@code sbatch --parsable} and the suite's {@link SlurmConfig}
 * resources, and follows every task with squeue (and sacct, or the exit file each task writes,
 * once a task has left the queue) every {@code poll_seconds}.
 *
 * <p>Picking up again: SUITE/slurm/state.json records which array task runs which job. A later
 * call (the submitting process died, or was interrupted) follows those tasks instead of
 * submitting the jobs again, and collects the outcome of any that ended meanwhile; a job whose
 * outcome was already returned is submitted anew when asked for again (the runner's retry).
 */
public final class SlurmExecutor implements SuiteExecutor {
  /** Waits between polls; tests make it instant. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** The executor's folder inside the suite directory. */
  public static final String DIR = "slurm";
  /**
   * Polls a task may be absent from squeue, sacct and the exit files before it counts as lost:
   * one absence can be a controller answering between two of its own updates.
   */
  private static final int POLLS_BEFORE_LOST = 2;

  private final SlurmConfig config;
  private final SlurmCommands commands;
  private final Sleeper sleeper;
  private final Clock clock;

  /**
   * The executor of a suite's {@code slurm} settings. Refuses (exit 2) where sbatch or squeue is
   * missing, so that a suite fails before its runner writes anything.
   */
  public SlurmExecutor(SlurmConfig config) {
    this(config, SlurmCommands.system(), d -> Thread.sleep(d.toMillis()), Clock.systemUTC());
    requireCommands();
  }

  SlurmExecutor(SlurmConfig config, SlurmCommands commands, Sleeper sleeper, Clock clock) {
    this.config = config;
    this.commands = commands;
    this.sleeper = sleeper;
    this.clock = clock;
  }

  @Override
  public Map<String, JobOutcome> execute(Path suiteDir, List<SuiteJob> jobs, Listener listener)
      throws IOException, InterruptedException {
    Set<String> ids = new HashSet<>();
    for (SuiteJob job : jobs) {
      if (!ids.add(job.id())) {
        throw new IllegalArgumentException("two jobs with the id " + job.id());
      }
    }
    requireCommands();
    if (jobs.isEmpty()) {
      return Map.of();
    }
    Path dir = suiteDir.resolve(DIR);
    Files.createDirectories(dir.resolve("exit"));
    Files.createDirectories(dir.resolve("out"));
    try (DirectoryLock lock = DirectoryLock.acquire(dir, "suite run (slurm executor)")) {
      return new Session(suiteDir, dir, jobs, listener).run();
    }
  }

  private void requireCommands() {
    for (String program : List.of("sbatch", "squeue")) {
      if (!commands.installed(program)) {
        throw TfpeftException.usage(program + " is not on PATH: the slurm executor submits"
            + " a suite's runs with Slurm's sbatch and follows them with squeue. Run the suite"
            + " where Slurm's client commands are installed (a cluster's login node), or run it"
            + " locally (executor: LOCAL in the suite config); tools/slurm/start-local-cluster.sh"
            + " --install starts a one-machine Slurm cluster to try it");
      }
    }
  }

  /** One call of execute: the ledger, what was told, and what has ended. */
  private final class Session {
    private final Path suiteDir;
    private final Path dir;
    private final Path ledgerFile;
    private final SlurmLedger ledger;
    private final List<SuiteJob> jobs;
    private final Listener listener;
    private final Map<String, JobOutcome> outcomes = new LinkedHashMap<>();
    private final Map<String, String> told = new HashMap<>();
    private final Map<String, Integer> absent = new HashMap<>();
    private boolean sacctWorks;

    Session(Path suiteDir, Path dir, List<SuiteJob> jobs, Listener listener) {
      this.suiteDir = suiteDir;
      this.dir = dir;
      this.ledgerFile = dir.resolve(SlurmLedger.FILE);
      this.ledger = SlurmLedger.load(ledgerFile);
      this.jobs = jobs;
      this.listener = listener;
      this.sacctWorks = commands.installed("sacct");
    }

    Map<String, JobOutcome> run() throws IOException, InterruptedException {
      recoverUnansweredSubmissions();
      List<SuiteJob> fresh = jobs.stream().filter(j -> !followed(j)).toList();
      if (!fresh.isEmpty()) {
        submit(fresh);
      }
      while (true) {
        poll();
        if (outcomes.size() == jobs.size()) {
          break;
        }
        sleeper.sleep(Duration.ofSeconds(config.getPollSeconds()));
      }
      for (SuiteJob job : jobs) {
        ledger.jobs.get(job.id()).reported = true;
      }
      ledger.save(ledgerFile);
      Map<String, JobOutcome> inOrder = new LinkedHashMap<>();
      jobs.forEach(j -> inOrder.put(j.id(), outcomes.get(j.id())));
      return inOrder;
    }

    /** Submitted by an earlier call and not yet handed back: followed, not submitted again. */
    private boolean followed(SuiteJob job) {
      SlurmLedger.Task t = ledger.jobs.get(job.id());
      return t != null && !t.reported && t.arrayJobId != null;
    }

    /**
     * A process that died between sbatch and recording its answer left a submission without an
     * array job id; the job name (unique per submission) finds it in the queue. Not found, it
     * never reached Slurm (or has long left it) and its jobs are submitted again.
     */
    private void recoverUnansweredSubmissions() throws IOException, InterruptedException {
      boolean changed = false;
      for (SlurmLedger.Submission s : List.copyOf(ledger.submissions)) {
        if (s.arrayJobId != null) {
          continue;
        }
        SlurmCommands.Result r = commands.run(List.of("squeue", "--noheader", "--states=all",
            "--name=" + s.jobName, "--format=%F"));
        String id = r.ok() ? r.stdout().strip().split("\\s+")[0] : "";
        if (id.matches("\\d+")) {
          record(s, id);
        } else {
          ledger.submissions.remove(s);
        }
        changed = true;
      }
      if (changed) {
        ledger.save(ledgerFile);
      }
    }

    private void submit(List<SuiteJob> fresh) throws IOException, InterruptedException {
      int number = ledger.submissions.stream().mapToInt(s -> s.number).max().orElse(0) + 1;
      Path jobsFile = dir.resolve("array-" + number + ".jobs");
      Path script = dir.resolve("array-" + number + ".sh");
      SlurmLedger.Submission s = new SlurmLedger.Submission();
      s.number = number;
      s.jobName = "tfpeft-" + suiteDir.toAbsolutePath().normalize().getFileName().toString()
          .replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + number;
      fresh.forEach(j -> s.jobs.add(j.id()));
      List<String> argv = sbatchArgv(s.jobName, fresh.size(), number, script);
      AtomicFiles.writeString(jobsFile, JobArrayScript.jobsFile(fresh));
      AtomicFiles.writeString(script, JobArrayScript.script(jobsFile.toAbsolutePath(),
          dir.resolve("exit").toAbsolutePath(), String.join(" ", argv)));
      ledger.submissions.add(s);
      ledger.save(ledgerFile);
      SlurmCommands.Result r = commands.run(argv);
      String id = r.stdout().strip().split(";")[0];
      if (!r.ok() || !id.matches("\\d+")) {
        ledger.submissions.remove(s);
        ledger.save(ledgerFile);
        AtomicFiles.deleteQuietly(jobsFile);
        AtomicFiles.deleteQuietly(script);
        String said = (r.stderr().strip() + " " + r.stdout().strip()).strip();
        throw TfpeftException.usage("sbatch refused the suite's job array (" + resources()
            + "): " + (said.isEmpty() ? "exit code " + r.exitCode() : said)
            + "; check the suite's slurm settings against the cluster (sinfo lists its"
            + " partitions)");
      }
      record(s, id);
      ledger.save(ledgerFile);
      for (int i = 0; i < fresh.size(); i++) {
        tell(fresh.get(i), JobState.PENDING, "Slurm job " + SlurmStates.task(id, i)
            + " submitted");
      }
    }

    private void record(SlurmLedger.Submission s, String arrayJobId) {
      s.arrayJobId = arrayJobId;
      s.submittedAt = clock.instant().toString();
      for (int i = 0; i < s.jobs.size(); i++) {
        SlurmLedger.Task t = new SlurmLedger.Task();
        t.arrayJobId = arrayJobId;
        t.task = i;
        t.submittedAt = s.submittedAt;
        ledger.jobs.put(s.jobs.get(i), t);
      }
    }

    private List<String> sbatchArgv(String jobName, int tasks, int number, Path script) {
      List<String> argv = new ArrayList<>(List.of("sbatch", "--parsable",
          "--job-name=" + jobName,
          "--array=0-" + (tasks - 1) + (config.getMaxRunning() > 0
              ? "%" + config.getMaxRunning() : ""),
          "--cpus-per-task=" + config.getCpusPerTask(),
          // the jobs' relative paths are the submitter's; written out, the script can be resent
          "--chdir=" + Path.of("").toAbsolutePath(),
          "--output=" + dir.resolve("out").toAbsolutePath() + "/array-" + number + "_%a.out"));
      if (config.getGpusPerTask() > 0) {
        argv.add("--gpus-per-task=" + config.getGpusPerTask());
      }
      if (config.getMemMb() > 0) {
        argv.add("--mem=" + config.getMemMb());
      }
      if (!config.getTime().isEmpty()) {
        argv.add("--time=" + config.getTime());
      }
      if (!config.getPartition().isEmpty()) {
        argv.add("--partition=" + config.getPartition());
      }
      if (!config.getAccount().isEmpty()) {
        argv.add("--account=" + config.getAccount());
      }
      argv.addAll(config.getSbatchOptionsList());
      argv.add(script.toAbsolutePath().toString());
      return argv;
    }

    private String resources() {
      return "partition " + (config.getPartition().isEmpty() ? "(default)"
          : "'" + config.getPartition() + "'") + ", " + config.getCpusPerTask() + " CPU"
          + (config.getCpusPerTask() == 1 ? "" : "s") + " per task"
          + (config.getGpusPerTask() > 0 ? ", " + config.getGpusPerTask() + " GPUs" : "")
          + (config.getMemMb() > 0 ? ", " + config.getMemMb() + " MiB" : "")
          + (config.getTime().isEmpty() ? "" : ", time " + config.getTime())
          + (config.getSbatchOptionsCount() > 0 ? ", " + config.getSbatchOptionsList() : "");
    }

    /** One look at the queue: every job still open gets its state, or its outcome. */
    private void poll() throws IOException, InterruptedException {
      List<SuiteJob> open = jobs.stream().filter(j -> !outcomes.containsKey(j.id())).toList();
      Set<String> arrays = new LinkedHashSet<>();
      open.forEach(j -> arrays.add(ledger.jobs.get(j.id()).arrayJobId));
      SlurmCommands.Result q = commands.run(List.of("squeue", "--noheader", "--array",
          "--states=all", "--jobs=" + String.join(",", arrays),
          "--format=" + SlurmStates.SQUEUE_FORMAT));
      // squeue refuses a list of only unknown ids; that is an empty queue, not a failure
      boolean queueRead = q.ok() || q.stderr().contains("Invalid job id");
      Map<String, SlurmStates.Row> queue = q.ok() ? SlurmStates.parseSqueue(q.stdout()) : Map.of();
      Map<String, SlurmStates.Row> accounting = null;
      for (SuiteJob job : open) {
        SlurmLedger.Task t = ledger.jobs.get(job.id());
        String task = SlurmStates.task(t.arrayJobId, t.task);
        Integer code = exitCode(task);
        SlurmStates.Row row = queue.get(task);
        if (row != null) {
          absent.remove(job.id());
          JobState state = SlurmStates.jobState(row.state());
          if (state == JobState.SUCCEEDED || state == JobState.FAILED) {
            finish(job, task, row.state(), code);
          } else {
            tell(job, state, "Slurm job " + task + " " + row.state()
                + (row.reason().isEmpty() || row.reason().equals("None") ? ""
                    : " (" + row.reason() + ")"));
          }
          continue;
        }
        if (!queueRead) {
          continue; // the controller did not answer: nothing is known, nothing changes
        }
        if (code != null) {
          finish(job, task, code == 0 ? "COMPLETED" : "FAILED", code);
          continue;
        }
        if (accounting == null) {
          accounting = sacct(arrays);
        }
        SlurmStates.Row done = accounting.get(task);
        if (done != null && SlurmStates.isFinal(done.state())) {
          finish(job, task, done.state(), done.exitCode() >= 0 && done.state().equals("FAILED")
              ? done.exitCode() : null);
        } else if (absent.merge(job.id(), 1, Integer::sum) >= POLLS_BEFORE_LOST) {
          String detail = "Slurm job " + task + " left the queue without recording an exit code"
              + (sacctWorks ? ", and sacct does not know it"
                  : ", and sacct is not available here (no accounting)")
              + " (cancelled, timed out or its node failed?); log: " + job.log();
          end(job, new JobOutcome(JobState.FAILED, -1, detail));
        }
      }
    }

    /** The arrays' tasks as sacct reports them; none where sacct is missing or accounting is off. */
    private Map<String, SlurmStates.Row> sacct(Set<String> arrays)
        throws IOException, InterruptedException {
      if (!sacctWorks) {
        return Map.of();
      }
      SlurmCommands.Result r = commands.run(List.of("sacct", "--noheader", "--parsable2",
          "--allocations", "--jobs=" + String.join(",", arrays),
          "--format=" + SlurmStates.SACCT_FORMAT));
      if (!r.ok()) {
        sacctWorks = false; // "Slurm accounting storage is disabled": the exit files remain
        return Map.of();
      }
      return SlurmStates.parseSacct(r.stdout());
    }

    /** The code the task's script recorded, or null where it recorded none (yet). */
    private Integer exitCode(String task) {
      Path file = dir.resolve("exit").resolve(task);
      try {
        return Integer.parseInt(Files.readString(file).strip());
      } catch (IOException | NumberFormatException e) {
        return null;
      }
    }

    private void finish(SuiteJob job, String task, String slurmState, Integer code) {
      boolean ok = slurmState.equals("COMPLETED") && (code == null || code == 0);
      int exit = code != null ? code : ok ? 0 : -1;
      String detail = ok ? "" : "Slurm job " + task + " " + slurmState + ": "
          + SlurmStates.why(slurmState, exit) + "; log: " + job.log();
      end(job, new JobOutcome(ok ? JobState.SUCCEEDED : JobState.FAILED, exit, detail));
    }

    private void end(SuiteJob job, JobOutcome outcome) {
      outcomes.put(job.id(), outcome);
      tell(job, outcome.state(), outcome.detail());
    }

    private void tell(SuiteJob job, JobState state, String detail) {
      String now = state + "\n" + detail;
      if (!now.equals(told.put(job.id(), now))) {
        listener.changed(job, state, detail);
      }
    }
  }
}
