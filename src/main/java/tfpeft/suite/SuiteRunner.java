package tfpeft.suite;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import tfpeft.util.AtomicFiles;

/**
 * Runs a suite in stages: first the search's runs (and every run of a setting without a search),
 * then, once each setting's point is selected, that point's remaining seeds, then the transfer
 * evaluations of the selected runs. A run that finished (its report.json exists) is skipped; a
 * run that was stopped is started again and {@code tfpeft train} resumes it from its last
 * checkpoint; a job that fails is retried once and then reported with its log.
 */
public final class SuiteRunner {
  /**
   * What a suite run came to.
   *
   * @param skipped jobs found finished and not run
   * @param ran jobs run to success
   * @param failures each failed job: id, detail and log
   * @param problems settings that could not be selected, and why
   */
  public record Summary(int skipped, int ran, List<String> failures, List<String> problems) {}

  private final SuitePlan plan;
  private final SuiteExecutor executor;
  private final JobCommands commands;
  private final int threads;
  private final SuiteProgress progress;
  private final Consumer<String> log;
  private final Map<SuitePlan.Setting, Selection.Choice> selected = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private int skipped;
  private int ran;

  public SuiteRunner(SuitePlan plan, SuiteExecutor executor, JobCommands commands, int threads,
      SuiteProgress progress, Consumer<String> log) {
    this.plan = plan;
    this.executor = executor;
    this.commands = commands;
    this.threads = threads;
    this.progress = progress;
    this.log = log;
  }

  /**
   * Writes the suite's files, each atomically: the suite config as given, every run's config,
   * the transfer targets' data files and the plan. Call after {@link SuitePreparation} has
   * validated everything, so that a bad suite writes nothing.
   */
  public void writeFiles(String suiteText, SuitePreparation prepared) {
    AtomicFiles.writeString(plan.dir().resolve(SuitePlan.SUITE_COPY), suiteText);
    for (SuitePlan.Run r : plan.runs()) {
      String text = prepared.configs().get(r.id());
      if (!text.equals(read(r.configFile()))) {
        AtomicFiles.writeString(r.configFile(), text);
      }
    }
    for (Map.Entry<String, String> d : prepared.dataFiles().entrySet()) {
      AtomicFiles.writeString(plan.dir().resolve(SuitePlan.DATA).resolve(d.getKey() + ".pbtxt"),
          d.getValue());
    }
    writePlan();
  }

  private static String read(Path p) {
    try {
      return Files.isRegularFile(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Runs every stage; interrupted, the jobs are stopped and the suite can be run again. */
  public Summary run() throws IOException, InterruptedException {
    List<SuitePlan.Run> first = plan.firstStage();
    runJobs(plan.settings().stream().anyMatch(plan::searched) ? "search" : "runs", first);
    Set<SuitePlan.Run> second = new LinkedHashSet<>();
    for (SuitePlan.Setting s : plan.settings()) {
      Selection.Choice c = Selection.select(plan, s, RunResults::read);
      if (!c.problem().isEmpty()) {
        problems.add(s.key() + ": " + c.problem());
        continue;
      }
      selected.put(s, c);
      for (SuitePlan.Run r : plan.runs(s, c.point())) {
        if (!first.contains(r)) {
          second.add(r);
        }
      }
    }
    writePlan();
    if (!second.isEmpty()) {
      runJobs("selected settings' other seeds", List.copyOf(second));
    }
    List<SuitePlan.Eval> evals = new ArrayList<>();
    for (Map.Entry<SuitePlan.Setting, Selection.Choice> e : selected.entrySet()) {
      for (SuitePlan.Run r : plan.runs(e.getKey(), e.getValue().point())) {
        if (RunResults.finished(r)) {
          evals.addAll(plan.evals(r));
        }
      }
    }
    if (!evals.isEmpty()) {
      List<SuiteJob> jobs = new ArrayList<>();
      Map<String, SuitePlan.Eval> byId = new LinkedHashMap<>();
      for (SuitePlan.Eval e : evals) {
        if (RunResults.evalFile(e).isPresent()) {
          skipped++;
          continue;
        }
        byId.put(e.id(), e);
        jobs.add(new SuiteJob(e.id(), commands.eval(e.run().runDir(), e.dataFile()),
            e.run().runDir(), e.log(), threads));
      }
      execute("transfer evaluations", jobs, id -> RunResults.evalFile(byId.get(id)).isPresent());
    }
    writePlan();
    return new Summary(skipped, ran, List.copyOf(failures), List.copyOf(problems));
  }

  private void runJobs(String stage, List<SuitePlan.Run> runs) throws IOException,
      InterruptedException {
    List<SuiteJob> jobs = new ArrayList<>();
    Map<String, SuitePlan.Run> byId = new LinkedHashMap<>();
    for (SuitePlan.Run r : runs) {
      if (RunResults.finished(r)) {
        skipped++;
        continue;
      }
      byId.put(r.id(), r);
      jobs.add(new SuiteJob(r.id(), commands.train(r.configFile()), r.runDir(), r.log(),
          threads));
    }
    execute(stage, jobs, id -> RunResults.finished(byId.get(id)));
  }

  /** Executes {@code jobs}, retrying the failed ones once; a job succeeds when it is done. */
  private void execute(String stage, List<SuiteJob> jobs, Predicate<String> done)
      throws IOException, InterruptedException {
    if (jobs.isEmpty()) {
      return;
    }
    progress.stage(stage);
    List<SuiteJob> failed = attempt(jobs, done, new LinkedHashMap<>());
    if (!failed.isEmpty()) {
      progress.endLine();
      log.accept("suite: retrying " + failed.size() + " failed job" + (failed.size() == 1 ? ""
          : "s") + " once");
      progress.stage(stage + ", retry");
      Map<String, String> details = new LinkedHashMap<>();
      for (SuiteJob j : attempt(failed, done, details)) {
        failures.add(j.id() + ": " + SuiteProgress.withLog(details.get(j.id()), j));
      }
    }
    progress.endLine();
  }

  private List<SuiteJob> attempt(List<SuiteJob> jobs, Predicate<String> done,
      Map<String, String> details) throws IOException, InterruptedException {
    for (SuiteJob j : jobs) {
      progress.changed(j, JobState.PENDING, "");
    }
    Map<String, JobOutcome> outcomes = new HashMap<>();
    for (List<SuiteJob> wave : waves(jobs)) {
      outcomes.putAll(executor.execute(plan.dir(), wave, progress));
    }
    List<SuiteJob> failed = new ArrayList<>();
    for (SuiteJob j : jobs) {
      JobOutcome o = outcomes.get(j.id());
      if (o != null && o.state() == JobState.SUCCEEDED && done.test(j.id())) {
        ran++;
        continue;
      }
      details.put(j.id(), o == null ? "no outcome" : o.state() == JobState.SUCCEEDED
          ? "exited 0 but wrote no result" : o.detail());
      failed.add(j);
    }
    return failed;
  }

  /**
   * {@code jobs} in order, split into waves in which no two jobs write the same run directory:
   * each job holds its run's lock while it runs, so the transfer evaluations of one run (one per
   * target) must follow one another, while those of different runs run side by side. Training
   * jobs, one per run, make one wave.
   */
  static List<List<SuiteJob>> waves(List<SuiteJob> jobs) {
    List<List<SuiteJob>> waves = new ArrayList<>();
    List<Set<Path>> dirs = new ArrayList<>();
    for (SuiteJob j : jobs) {
      Path dir = j.runDir().toAbsolutePath().normalize();
      int w = 0;
      while (w < waves.size() && dirs.get(w).contains(dir)) {
        w++;
      }
      if (w == waves.size()) {
        waves.add(new ArrayList<>());
        dirs.add(new HashSet<>());
      }
      waves.get(w).add(j);
      dirs.get(w).add(dir);
    }
    return waves;
  }

  /** The plan as JSON: every run, its files and whether it finished, and the selections. */
  private void writePlan() {
    JsonObject o = new JsonObject();
    o.addProperty("suite", plan.config().getName());
    o.addProperty("protocol", plan.protocol().name());
    o.addProperty("selection", Selection.rule(plan.config().getSelection(),
        plan.seeds().get(0)));
    JsonArray runs = new JsonArray();
    for (SuitePlan.Run r : plan.runs()) {
      JsonObject j = new JsonObject();
      j.addProperty("id", r.id());
      j.addProperty("task", r.setting().task());
      j.addProperty("method", r.setting().method());
      if (r.setting().shots() > 0) {
        j.addProperty("shots", r.setting().shots());
      }
      j.addProperty("point", r.point().label());
      j.addProperty("seed", r.seed());
      j.addProperty("config", r.configFile().toString());
      j.addProperty("run_dir", r.runDir().toString());
      j.addProperty("log", r.log().toString());
      j.addProperty("finished", RunResults.finished(r));
      runs.add(j);
    }
    o.add("runs", runs);
    JsonArray sel = new JsonArray();
    for (Map.Entry<SuitePlan.Setting, Selection.Choice> e : selected.entrySet()) {
      if (!plan.searched(e.getKey())) {
        continue;
      }
      JsonObject j = new JsonObject();
      j.addProperty("setting", e.getKey().key());
      j.addProperty("point", e.getValue().point().label());
      j.addProperty("validation_top1", e.getValue().score());
      j.addProperty("complete", e.getValue().complete());
      sel.add(j);
    }
    o.add("selected", sel);
    AtomicFiles.writeString(plan.dir().resolve(SuitePlan.PLAN), new GsonBuilder()
        .setPrettyPrinting().serializeSpecialFloatingPointValues().disableHtmlEscaping().create()
        .toJson(o) + "\n");
  }
}
