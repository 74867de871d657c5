package tfpeft.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tfpeft.TfpeftException;
import tfpeft.util.AtomicFiles;

/**
 * Writes a run's report: {@code index.html} and its plots as {@code .svg} files beside it. The
 * output directory must be new, empty, or an earlier report (its {@code index.html} carries
 * the generator mark), so nothing else is overwritten; the plots an earlier report listed and
 * this one does not are removed, and nothing else. Each file is written whole (a temporary file
 * renamed into place), the page last, so it never names a plot that is not there.
 */
public final class ReportWriter {
  static final String GENERATOR = "tfpeft report";
  static final String INDEX = "index.html";
  private static final Pattern PLOT = Pattern.compile("data-plot=\"([A-Za-z0-9_]+\\.svg)\"");

  /** What was written: the page and how many plots. */
  public record Written(Path index, int plots, java.util.List<String> missing) {}

  private ReportWriter() {}

  /** The report of the run in {@code runDir} into {@code out} (default RUN/report). */
  public static Written write(Path runDir, Path out) {
    RunRecord run = RunRecord.read(runDir);
    Path dir = out != null ? out : runDir.resolve("report");
    Set<String> earlier = checkOutput(dir);
    Page page = ReportPage.build(run);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw TfpeftException.usage("cannot create the report directory " + dir + " ("
          + e.getMessage() + "); pass --out DIR somewhere writable", e);
    }
    for (Map.Entry<String, String> f : page.files().entrySet()) {
      AtomicFiles.writeString(dir.resolve(f.getKey()), f.getValue());
    }
    AtomicFiles.writeString(dir.resolve(INDEX), page.html(ReportPage.title(run)));
    for (String old : earlier) {
      if (!page.files().containsKey(old)) {
        AtomicFiles.deleteQuietly(dir.resolve(old));
      }
    }
    return new Written(dir.resolve(INDEX), page.figures(), run.missing());
  }

  /** Refuses a directory that holds anything but an earlier report; returns its plots. */
  private static Set<String> checkOutput(Path dir) {
    Set<String> plots = new LinkedHashSet<>();
    if (!Files.exists(dir)) {
      return plots;
    }
    if (!Files.isDirectory(dir)) {
      throw TfpeftException.usage(dir + " exists and is not a directory; pass --out DIR (a new"
          + " directory, or an earlier report)");
    }
    Path index = dir.resolve(INDEX);
    try (var entries = Files.list(dir)) {
      boolean empty = entries.findAny().isEmpty();
      if (empty) {
        return plots;
      }
      String earlier = Files.isRegularFile(index) && Files.size(index) < (64L << 20)
          ? Files.readString(index, StandardCharsets.UTF_8) : "";
      if (!earlier.contains("<meta name=\"generator\" content=\"" + GENERATOR + "\"/>")) {
        throw TfpeftException.usage(dir + " holds files that are not a tfpeft report; nothing"
            + " was written. Pass --out DIR: a new or empty directory, or an earlier report");
      }
      Matcher m = PLOT.matcher(earlier);
      while (m.find()) {
        plots.add(m.group(1));
      }
      return plots;
    } catch (IOException | RuntimeException e) {
      if (e instanceof TfpeftException t) {
        throw t;
      }
      throw TfpeftException.usage("cannot read " + dir + " (" + e.getMessage() + ")", e);
    }
  }
}
