package tfpeft.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.PearConfig;
import tfpeft.train.TinyRuns;

/**
 * The report of a tiny trained run in a real browser: Debian's headless Chromium loads the page
 * at a phone's width with a check script added, which records console messages and errors,
 * measures every inline plot and loads every plot file beside the page; the page must render
 * every plot, log nothing and not scroll sideways. A screenshot at 1280 px is kept under
 * target/report-browser/. Skipped where /usr/bin/chromium is missing (CI installs it).
 */
class ReportBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path SHOTS = Path.of("target", "report-browser");

  /** Before the page: every error, failed load and console warning or error is recorded. */
  static final String CAPTURE = """
      window.__errors = [];
      window.addEventListener('error', function (e) {
        window.__errors.push(e.message || ('cannot load ' + (e.target && (e.target.src
            || e.target.href))));
      }, true);
      ['error', 'warn'].forEach(function (k) {
        var f = console[k];
        console[k] = function () {
          window.__errors.push(k + ': ' + Array.prototype.join.call(arguments, ' '));
          f.apply(console, arguments);
        };
      });
      """;

  /** After the page: each plot drawn inline with some size and shapes, and its file loads. */
  static final String MEASURE = """
      window.addEventListener('load', function () {
        var figs = document.querySelectorAll('figure[data-plot]');
        var bad = [];
        var pending = figs.length;
        function done() {
          var b = document.body;
          b.setAttribute('data-check-plots', String(figs.length));
          b.setAttribute('data-check-bad', bad.join(' '));
          b.setAttribute('data-check-errors', window.__errors.join(' | '));
          b.setAttribute('data-check-overflow',
              String(document.documentElement.scrollWidth - window.innerWidth));
          b.setAttribute('data-check-done', 'yes');
        }
        if (pending === 0) { done(); }
        figs.forEach(function (f) {
          var name = f.getAttribute('data-plot');
          var svg = f.querySelector('svg');
          var box = svg ? svg.getBoundingClientRect() : null;
          var shapes = svg ? svg.querySelectorAll('rect,line,polyline,circle,text').length : 0;
          if (!box || box.width < 50 || box.height < 50 || shapes < 3) {
            bad.push(name + ' (inline)');
          }
          var img = new Image();
          img.onload = function () {
            if (img.naturalWidth < 50) { bad.push(name + ' (file)'); }
            if (--pending === 0) { done(); }
          };
          img.onerror = function () {
            bad.push(name + ' (file)');
            if (--pending === 0) { done(); }
          };
          img.src = name;
        });
      });
      """;

  @TempDir Path out;

  record Browser(int code, String stdout, String stderr) {}

  Browser chromium(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--user-data-dir=" + out.resolve("profile"), "--disable-component-update",
        "--disable-sync", "--disable-quic", "--enable-logging=stderr", "--v=0"));
    cmd.addAll(List.of(args));
    Path o = out.resolve("chromium.out");
    Path e = out.resolve("chromium.err");
    Process p = new ProcessBuilder(cmd).redirectOutput(o.toFile()).redirectError(e.toFile())
        .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("chromium did not finish within 60 s: " + cmd);
    }
    return new Browser(p.exitValue(), Files.readString(o, StandardCharsets.UTF_8),
        Files.readString(e, StandardCharsets.UTF_8));
  }

  static String attribute(String dom, String name) {
    Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(dom);
    return m.find() ? m.group(1).replace("&amp;", "&").replace("&quot;", "\"") : null;
  }

  @Test
  void theReportRendersEveryPlotInChromiumWithNoConsoleErrors() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "skipped: " + CHROMIUM + " is not installed"
        + " (apt-get install chromium; .ci/run installs it)");
    Path run = TinyRuns.train(TinyRuns.vit(out, "pear", MethodConfig.newBuilder()
        .setPear(PearConfig.newBuilder().setLora(LoraConfig.newBuilder().setRank(2))
            .setWarmupEpochs(1)).build(), 2).build());
    ReportWriter.Written w = ReportWriter.write(run, null);
    String html = Files.readString(w.index(), StandardCharsets.UTF_8);
    Path check = w.index().resolveSibling("check.html");
    Files.writeString(check, html.replace("<head>", "<head>\n<script>" + CAPTURE + "</script>")
        .replace("</body>", "<script>" + MEASURE + "</script>\n</body>"));

    Browser b = chromium("--window-size=390,844", "--virtual-time-budget=10000", "--dump-dom",
        check.toUri().toString());
    assertEquals(0, b.code(), b.stderr());
    String dom = b.stdout();
    assertEquals("yes", attribute(dom, "data-check-done"), "the check did not finish:\n"
        + b.stderr());
    List<String> console = b.stderr().lines().filter(l -> l.contains(":CONSOLE")).toList();
    assertEquals(List.of(), console, "console messages");
    assertEquals("", attribute(dom, "data-check-errors"), "errors on the page");
    assertEquals(String.valueOf(w.plots()), attribute(dom, "data-check-plots"));
    assertTrue(w.plots() >= 7, "plots: " + w.plots());
    assertEquals("", attribute(dom, "data-check-bad"), "plots not rendered");
    assertTrue(Integer.parseInt(attribute(dom, "data-check-overflow")) <= 0,
        "the page scrolls sideways at 390 px by " + attribute(dom, "data-check-overflow"));

    Files.createDirectories(SHOTS);
    Path shot = SHOTS.resolve("report.png").toAbsolutePath();
    Files.deleteIfExists(shot);
    Browser s = chromium("--window-size=1280,2000", "--screenshot=" + shot,
        w.index().toUri().toString());
    assertEquals(0, s.code(), s.stderr());
    assertTrue(Files.isRegularFile(shot) && Files.size(shot) > 10_000, "no screenshot at "
        + shot + "\n" + s.stderr());
  }
}
