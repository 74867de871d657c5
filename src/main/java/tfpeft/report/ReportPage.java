package tfpeft.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report of one run as a page: the header (run, method, backbone, final test accuracy,
 * base/new/H, throughput, time), training curves, the confusion matrix, accuracy per class, the
 * method's own picture, the evaluations made with {@code tfpeft eval}, and the resolved config.
 * What the run does not hold yet is said where it would be.
 */
final class ReportPage {
  /** Beyond this many classes the heat map and bars show a selection (a page stays readable). */
  static final int MAX_DRAWN_CLASSES = 100;

  private ReportPage() {}

  static Page build(RunRecord run) {
    Page page = new Page();
    header(run, page);
    curves(run, page);
    results(run, page);
    method(run, page);
    evaluations(run, page);
    config(run, page);
    return page;
  }

  static String title(RunRecord run) {
    return "tfpeft report: " + runName(run);
  }

  static String runName(RunRecord run) {
    if (run.report != null && run.report.has("run")) {
      return RunRecord.text(run.report, "run");
    }
    if (run.config != null && !run.config.getName().isEmpty()) {
      return run.config.getName();
    }
    return String.valueOf(run.root.toAbsolutePath().normalize().getFileName());
  }

  private static void header(RunRecord run, Page page) {
    page.raw("<header>\n");
    page.element("h1", runName(run));
    page.raw("<nav><a href=\"#curves\">curves</a><a href=\"#results\">results</a>"
        + "<a href=\"#method\">method</a><a href=\"#evaluations\">evaluations</a>"
        + "<a href=\"#config\">config</a></nav>\n");
    List<String[]> facts = new ArrayList<>();
    facts.add(new String[] {"method", run.method()});
    facts.add(new String[] {"backbone", backbone(run)});
    JsonObject r = run.report;
    ClassResults test = r == null || !r.has("test") || !r.get("test").isJsonObject() ? null
        : ClassResults.of(r.getAsJsonObject("test"));
    if (test != null) {
      facts.add(new String[] {"test top-1", Markup.percent(test.top1())});
      if (test.k() > 0) {
        facts.add(new String[] {"test top-" + test.k(), Markup.percent(test.topK())});
      }
      facts.add(new String[] {"mean per class", Markup.percent(test.meanPerClass())});
    }
    if (r != null && r.has("base_to_new") && r.get("base_to_new").isJsonObject()) {
      JsonObject b = r.getAsJsonObject("base_to_new");
      facts.add(new String[] {"base", Markup.percent(RunRecord.number(b, "base"))});
      facts.add(new String[] {"new", Markup.percent(RunRecord.number(b, "new"))});
      facts.add(new String[] {"H", Markup.percent(RunRecord.number(b, "harmonic_mean"))});
    }
    if (r != null && r.has("training") && r.get("training").isJsonObject()) {
      JsonObject t = r.getAsJsonObject("training");
      facts.add(new String[] {"training images/s",
          Markup.value(RunRecord.number(t, "images_per_sec"))});
      facts.add(new String[] {"training time", duration(RunRecord.number(t, "seconds"))});
    }
    if (r != null && r.has("parameters") && r.get("parameters").isJsonObject()) {
      JsonObject p = r.getAsJsonObject("parameters");
      double trainable = RunRecord.number(p, "trainable");
      double frozen = RunRecord.number(p, "frozen");
      facts.add(new String[] {"trainable parameters", String.format(Locale.ROOT, "%,.0f (%s)",
          trainable, Markup.percent(trainable / (trainable + frozen)))});
    }
    facts.add(new String[] {"status", status(run)});
    page.raw("<div class=\"facts\">\n");
    for (String[] f : facts) {
      page.raw("<div>" + Markup.escape(f[0]) + "<b>" + Markup.escape(f[1]) + "</b></div>\n");
    }
    page.raw("</div>\n");
    page.element("p", "Run directory: " + run.root.toAbsolutePath().normalize());
    if (!run.missing().isEmpty()) {
      page.raw("<div class=\"missing\"><p>Not in this report:</p><ul>\n");
      run.missing().forEach(m -> page.element("li", m));
      page.raw("</ul></div>\n");
    }
    page.raw("</header>\n");
  }

  private static String backbone(RunRecord run) {
    if (run.config != null && run.config.hasModel()) {
      var m = run.config.getModel();
      String kind = m.hasClip() ? "CLIP" : m.hasVit() ? "ViT" : "?";
      return m.hasWeights() && !m.getWeights().getPath().isEmpty()
          ? kind + " (" + m.getWeights().getPath() + ")" : kind;
    }
    return run.report != null ? RunRecord.text(run.report, "backbone") : "unknown";
  }

  private static String status(RunRecord run) {
    int epochs = run.config == null ? -1 : run.config.getTraining().getEpochs();
    if (!run.unfinished()) {
      return "finished";
    }
    String at = run.latest == null ? "no checkpoint yet"
        : "last checkpoint after epoch " + run.latest.epoch();
    return "not finished: " + at + (epochs > 0 ? " of " + epochs : "");
  }

  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "n/a";
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  private static void curves(RunRecord run, Page page) {
    page.section("curves", "Training curves");
    double[] epochStep = new double[run.epochs.size()];
    double[] epochLoss = new double[run.epochs.size()];
    double[] epochLr = new double[run.epochs.size()];
    for (int i = 0; i < run.epochs.size(); i++) {
      epochStep[i] = RunRecord.number(run.epochs.get(i), "step");
      epochLoss[i] = RunRecord.number(run.epochs.get(i), "loss");
      epochLr[i] = RunRecord.number(run.epochs.get(i), "lr");
    }
    if (run.stepLoss.size() == 0 && run.epochs.isEmpty()) {
      page.element("p", "No training curves: the run has logged no step or epoch yet"
          + (run.report != null ? " (a method that trains nothing runs no epochs)." : "."));
    } else {
      LinePlot loss = new LinePlot("Training loss", "optimizer step", "loss").wholeX();
      if (run.stepLoss.size() > 0) {
        loss.add("per logged step", run.stepLoss.x(), run.stepLoss.y(), false);
      }
      if (epochStep.length > 0) {
        loss.add("mean per epoch", epochStep, epochLoss, true);
      }
      page.figure("loss.svg", loss.svg(), "Training loss: every logged step"
          + (run.stepLoss.offered() > run.stepLoss.size() ? " (" + run.stepLoss.size()
          + " of " + run.stepLoss.offered() + " shown, evenly spaced)" : "")
          + " and the mean of each epoch.");
      // the step lines carry the schedule as it was fed; the epoch lines where fewer steps
      // than epochs were logged (training.log_every_steps longer than an epoch)
      boolean perStep = run.stepLr.size() >= Math.max(2, epochStep.length);
      LinePlot lr = new LinePlot("Learning rate", "optimizer step", "learning rate").wholeX();
      if (perStep) {
        lr.add("per logged step", run.stepLr.x(), run.stepLr.y(), false);
      } else {
        lr.add("per epoch", epochStep, epochLr, true);
      }
      page.figure("learning_rate.svg", lr.svg(), "The learning rate of the schedule, as fed"
          + (perStep ? " at each logged step." : " in each epoch."));
    }
    if (run.evalTop1.isEmpty()) {
      page.element("p", "No evaluations during training (eval.every_epochs is 0, or none has"
          + " run yet); the final test accuracy is in the header.");
    } else {
      LinePlot acc = new LinePlot("Evaluation accuracy", "epoch", "top-1").yRange(0, 1)
          .wholeX();
      for (Map.Entry<String, TreeMap<Integer, Double>> e : run.evalTop1.entrySet()) {
        double[] x = e.getValue().keySet().stream().mapToDouble(Integer::doubleValue).toArray();
        double[] y = e.getValue().values().stream().mapToDouble(Double::doubleValue).toArray();
        acc.add(e.getKey() + " top-1", x, y, true);
      }
      page.figure("accuracy.svg", acc.svg(), "Top-1 accuracy at each evaluation during"
          + " training (the best selects the best checkpoint).");
    }
    page.endSection();
  }

  private static void results(RunRecord run, Page page) {
    page.section("results", "Results per class");
    JsonObject r = run.report;
    ClassResults test = r == null || !r.has("test") || !r.get("test").isJsonObject() ? null
        : ClassResults.of(r.getAsJsonObject("test"));
    String source = "the final test evaluation (report.json)";
    if (test == null) {
      for (Map.Entry<String, JsonObject> e : run.evalFiles.entrySet()) {
        JsonObject o = e.getValue();
        String split = RunRecord.text(o, "split");
        ClassResults c = o.has(split) && o.get(split).isJsonObject()
            ? ClassResults.of(o.getAsJsonObject(split)) : null;
        if (c != null) {
          test = c;
          source = e.getKey();
        }
      }
    }
    if (test == null) {
      page.element("p", "No per-class results yet: they come with report.json at the end of"
          + " the run, or from tfpeft eval.");
      page.endSection();
      return;
    }
    page.element("p", "From " + source + ", " + test.images() + " images.");
    classPlots(test, page, "", "");
    if (r != null && r.has("base_to_new") && r.get("base_to_new").isJsonObject()) {
      JsonObject b = r.getAsJsonObject("base_to_new");
      JsonElement nt = b.get("new_test");
      ClassResults fresh = nt != null && nt.isJsonObject() ? ClassResults.of(nt.getAsJsonObject())
          : null;
      if (fresh != null) {
        page.element("h3", "New classes (base-to-new)");
        classPlots(fresh, page, "_new", " of the new classes");
      }
    }
    page.endSection();
  }

  private static void classPlots(ClassResults res, Page page, String suffix, String of) {
    int n = res.classes().size();
    if (res.confusion() != null && n <= MAX_DRAWN_CLASSES) {
      page.figure("confusion" + suffix + ".svg", HeatMap.confusion(res.confusion(),
          res.classes()), "Confusion matrix" + of + ": each row a true class, shaded by the"
          + " share of its images predicted as each class (hover a cell for the count).");
    } else if (res.confusion() != null) {
      page.element("p", n + " classes: too many for a readable heat map; the most frequent"
          + " confusions:");
      List<long[]> pairs = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        for (int p = 0; p < n; p++) {
          if (t != p && res.confusion()[t][p] > 0) {
            pairs.add(new long[] {res.confusion()[t][p], t, p});
          }
        }
      }
      pairs.sort((a, b) -> Long.compare(b[0], a[0]));
      List<String[]> rows = new ArrayList<>();
      for (long[] p : pairs.subList(0, Math.min(20, pairs.size()))) {
        rows.add(new String[] {res.classes().get((int) p[1]), res.classes().get((int) p[2]),
            Long.toString(p[0])});
      }
      page.table(new String[] {"true", "predicted", "images"}, rows, false, false, true);
    }
    BarChart bars = new BarChart("Accuracy per class" + of, "top-1 accuracy").percent();
    List<Integer> shown = new ArrayList<>();
    for (int c = 0; c < n; c++) {
      shown.add(c);
    }
    String caption = "Top-1 accuracy of each class" + of + ".";
    if (n > MAX_DRAWN_CLASSES) {
      shown.sort((a, b) -> Double.compare(res.perClass()[a], res.perClass()[b]));
      List<Integer> ends = new ArrayList<>(shown.subList(0, 25));
      ends.addAll(shown.subList(n - 25, n));
      shown = ends;
      caption = "The 25 least and 25 most accurate of " + n + " classes" + of + ".";
    }
    for (int c : shown) {
      bars.add(res.classes().get(c), res.perClass()[c], Svg.PALETTE[2], null, null);
    }
    page.figure("per_class" + suffix + ".svg", bars.svg(), caption);
  }

  private static void method(RunRecord run, Page page) {
    page.section("method", "The method: " + run.method());
    boolean drawn = false;
    for (MethodPicture p : MethodPicture.all()) {
      drawn |= p.draw(run, page);
    }
    if (!drawn) {
      page.element("p", run.method().equals("unknown") ? "The method is not known: the config"
          + " could not be read." : "The method " + run.method() + " keeps no state of its own"
          + " to draw (no adapters, plan, masks or prompts)"
          + (run.latest == null ? ", or the run has no checkpoint yet" : "")
          + "; its settings are in the config below.");
    }
    if (run.report != null && run.report.has("method_report")) {
      page.element("p", "What the method reports of itself (report.json):");
      page.element("pre", new com.google.gson.GsonBuilder().setPrettyPrinting()
          .serializeSpecialFloatingPointValues().create().toJson(run.report.get(
              "method_report")));
    }
    page.endSection();
  }

  private static void evaluations(RunRecord run, Page page) {
    page.section("evaluations", "Evaluations (tfpeft eval)");
    if (run.evalFiles.isEmpty()) {
      page.element("p", "None: tfpeft eval " + run.root + " writes eval_<checkpoint>_<split>.json"
          + " here.");
    } else {
      List<String[]> rows = new ArrayList<>();
      for (Map.Entry<String, JsonObject> e : run.evalFiles.entrySet()) {
        JsonObject o = e.getValue();
        String split = RunRecord.text(o, "split");
        JsonObject m = o.has(split) && o.get(split).isJsonObject()
            ? o.getAsJsonObject(split) : null;
        int k = (int) RunRecord.number(m, "k");
        String h = "";
        if (o.has("base_to_new") && o.get("base_to_new").isJsonObject()) {
          h = Markup.percent(RunRecord.number(o.getAsJsonObject("base_to_new"),
              "harmonic_mean"));
        }
        rows.add(new String[] {e.getKey(), RunRecord.text(o, "checkpoint"), split,
            Markup.percent(RunRecord.number(m, "top1")),
            k <= 0 ? "n/a" : "top-" + k + " " + Markup.percent(RunRecord.number(m, "top" + k)),
            Markup.percent(RunRecord.number(m, "mean_per_class")), h});
      }
      page.table(new String[] {"file", "checkpoint", "split", "top-1", "top-k",
          "mean per class", "H"}, rows, false, false, false, true, true, true, true);
    }
    page.endSection();
  }

  private static void config(RunRecord run, Page page) {
    page.section("config", "Config (resolved, as the run wrote it)");
    if (run.configText == null) {
      page.element("p", "The config could not be read.");
    } else {
      page.element("pre", run.configText);
    }
    page.endSection();
  }
}
