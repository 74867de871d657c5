package tfpeft.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import tfpeft.TfpeftException;

/** The report of hand-made run directories: what it shows, what it refuses, what it keeps. */
class ReportWriterTest {
  @TempDir Path dir;

  static Document parse(Path file) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(file)));
  }

  static String read(Path file) throws Exception {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** The {@code <title>} texts of the rect elements in an SVG. */
  static List<String> rectTitles(Document svg) {
    List<String> out = new ArrayList<>();
    NodeList rects = svg.getElementsByTagNameNS("http://www.w3.org/2000/svg", "rect");
    for (int i = 0; i < rects.getLength(); i++) {
      Element r = (Element) rects.item(i);
      NodeList t = r.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title");
      if (t.getLength() > 0) {
        out.add(t.item(0).getTextContent() + " | fill " + r.getAttribute("fill") + " | width "
            + r.getAttribute("width"));
      }
    }
    return out;
  }

  @Test
  void aFinishedRunGetsEveryPlotBesideItsPage() throws Exception {
    Path run = RunDirs.finished(dir.resolve("tiny"));
    ReportWriter.Written w = ReportWriter.write(run, null);
    assertEquals(run.resolve("report").resolve("index.html"), w.index());
    for (String f : new String[] {"loss.svg", "learning_rate.svg", "accuracy.svg",
        "confusion.svg", "per_class.svg"}) {
      assertTrue(Files.isRegularFile(run.resolve("report").resolve(f)), f);
      parse(run.resolve("report").resolve(f));
      assertTrue(read(w.index()).contains("data-plot=\"" + f + "\""), f);
    }
    assertEquals(5, w.plots());
    String html = read(w.index());
    assertTrue(html.contains("test top-1<b>87.50%</b>"), html);
    assertTrue(html.contains("test top-3<b>100.00%</b>"), html);
    assertTrue(html.contains("training time<b>1:15</b>"), html);
    assertTrue(html.contains("trainable parameters<b>25 (25.00%)</b>"), html);
    assertTrue(html.contains("method { lora { rank: 2 } }"), html);
  }

  @Test
  void theConfusionMatrixIsNormalizedPerTrueClassWithCountsOnHover() throws Exception {
    Path run = RunDirs.finished(dir.resolve("tiny"));
    ReportWriter.write(run, null);
    List<String> cells = rectTitles(parse(run.resolve("report").resolve("confusion.svg")));
    // row cat: 3 and 1 of 4; row dog: 0 and 4 of 4
    assertEquals(List.of(
        "true cat, predicted cat: 3 of 4 (75.00%) | fill " + HeatMap.shade(0.75) + " | width 36",
        "true cat, predicted dog: 1 of 4 (25.00%) | fill " + HeatMap.shade(0.25) + " | width 36",
        "true dog, predicted cat: 0 of 4 (0.00%) | fill #ffffff | width 36",
        "true dog, predicted dog: 4 of 4 (100.00%) | fill #08306b | width 36"), cells);
  }

  @Test
  void perClassBarsAreAsLongAsTheAccuracyOnAZeroToOneAxis() throws Exception {
    Path run = RunDirs.finished(dir.resolve("tiny"));
    ReportWriter.write(run, null);
    List<String> bars = rectTitles(parse(run.resolve("report").resolve("per_class.svg")));
    // the value axis is 420 units long from 0% to 100%
    assertEquals(List.of("cat: 75.00% | fill #009E73 | width 315",
        "dog: 100.00% | fill #009E73 | width 420"), bars);
  }

  @Test
  void textFromFilesIsEscapedSoThePageStaysWellFormed() throws Exception {
    Path run = dir.resolve("hostile");
    RunDirs.write(run, "config.pbtxt", RunDirs.CONFIG.replace("\"tiny\"",
        "\"</pre><script>alert(1)</script>\""));
    RunDirs.write(run, "report.json", RunDirs.report("<b>a&b</b>", "\\\"q'\\u0001"));
    Path index = ReportWriter.write(run, null).index();
    Document page = parse(index);
    assertEquals(0, page.getElementsByTagNameNS("http://www.w3.org/1999/xhtml", "script")
        .getLength());
    assertTrue(read(index).contains("&lt;b&gt;a&amp;b&lt;/b&gt;"), read(index));
    String text = page.getDocumentElement().getTextContent();
    assertTrue(text.contains("name: \"</pre><script>alert(1)</script>\""), text);
    List<String> cells = rectTitles(parse(run.resolve("report").resolve("confusion.svg")));
    assertTrue(cells.get(1).startsWith("true <b>a&b</b>, predicted \"q'\uFFFD:"), cells.get(1));
  }

  @Test
  void aRunStillTrainingGetsWhatItHasAndSaysWhatIsMissing() throws Exception {
    Path run = dir.resolve("training");
    RunDirs.write(run, "config.pbtxt", RunDirs.CONFIG);
    // the last line is being written
    RunDirs.write(run, "metrics.jsonl", RunDirs.metrics().lines().limit(3)
        .reduce("", (a, b) -> a + b + "\n") + "{\"kind\":\"st");
    ReportWriter.Written w = ReportWriter.write(run, null);
    String html = read(w.index());
    assertTrue(html.contains("no test results yet (report.json is written when the run"
        + " finishes)"), html);
    assertTrue(html.contains("not finished: no checkpoint yet of 2"), html);
    assertTrue(html.contains("No per-class results yet"), html);
    assertTrue(html.contains("1 line(s) of metrics.jsonl could not be read"), html);
    assertTrue(Files.isRegularFile(run.resolve("report").resolve("loss.svg")));
    assertFalse(Files.exists(run.resolve("report").resolve("confusion.svg")));
    assertEquals(List.of("1 line(s) of metrics.jsonl could not be read and were skipped",
        "no test results yet (report.json is written when the run finishes)",
        "no checkpoint yet: the method's own state is not shown"), w.missing());
  }

  @Test
  void evaluationsAreListedAndTheLastGivesThePerClassResultsBeforeTheRunEnds() throws Exception {
    Path run = dir.resolve("run");
    RunDirs.write(run, "config.pbtxt", RunDirs.CONFIG);
    String metrics = RunDirs.testMetrics("cat", "dog");
    RunDirs.write(run, "eval_epoch-0001_test.json", "{\"checkpoint\": \"c1\", \"split\": \"test\","
        + " \"test\": " + metrics.replace("\"top1\": 0.875", "\"top1\": 0.5") + "}");
    RunDirs.write(run, "eval_epoch-0002_test.json", "{\"checkpoint\": \"c2\", \"split\": \"test\","
        + " \"test\": " + metrics + "}");
    Path index = ReportWriter.write(run, null).index();
    String html = read(index);
    assertTrue(html.contains("<td>eval_epoch-0001_test.json</td><td>c1</td><td>test</td>"
        + "<td class=\"n\">50.00%</td><td class=\"n\">top-3 100.00%</td>"), html);
    assertTrue(html.contains("<td>eval_epoch-0002_test.json</td><td>c2</td><td>test</td>"
        + "<td class=\"n\">87.50%</td>"), html);
    assertTrue(html.contains("From eval_epoch-0002_test.json, 8 images."), html);
    assertTrue(Files.isRegularFile(run.resolve("report").resolve("confusion.svg")));
  }

  @Test
  void aDirectoryWithoutAConfigIsNotARun() throws Exception {
    Files.createDirectories(dir.resolve("photos"));
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> ReportWriter.write(dir.resolve("photos"), null));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("photos: not a run directory (it has no config.pbtxt)"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("photos").resolve("report")));
  }

  @Test
  void anOutputDirectoryHoldingOtherFilesIsRefusedAndLeftAlone() throws Exception {
    Path run = RunDirs.finished(dir.resolve("tiny"));
    Path out = RunDirs.write(dir.resolve("mine"), "index.html", "my own page");
    TfpeftException e = assertThrows(TfpeftException.class, () -> ReportWriter.write(run, out));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("holds files that are not a tfpeft report"),
        e.getMessage());
    assertEquals("my own page", read(out.resolve("index.html")));
    try (var files = Files.list(out)) {
      assertEquals(1, files.count());
    }
  }

  @Test
  void aSecondReportReplacesTheFirstAndDropsOnlyItsOwnStalePlots() throws Exception {
    Path run = RunDirs.finished(dir.resolve("tiny"));
    Path out = dir.resolve("out");
    ReportWriter.write(run, out);
    RunDirs.write(out, "notes.txt", "mine");
    Files.delete(run.resolve("report.json"));
    ReportWriter.write(run, out);
    assertFalse(Files.exists(out.resolve("confusion.svg")));
    assertFalse(Files.exists(out.resolve("per_class.svg")));
    assertTrue(Files.isRegularFile(out.resolve("loss.svg")));
    assertEquals("mine", read(out.resolve("notes.txt")));
  }
}
