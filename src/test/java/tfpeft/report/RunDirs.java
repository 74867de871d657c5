package tfpeft.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Run directories written by hand, as the trainer lays them out, for the report's tests. */
final class RunDirs {
  static final String CONFIG = """
      name: "tiny"
      model { vit { image_size: 16 patch_size: 4 width: 8 depth: 2 heads: 2 } }
      method { lora { rank: 2 } }
      training { epochs: 2 }
      """;

  private RunDirs() {}

  static Path write(Path dir, String file, String text) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(file), text, StandardCharsets.UTF_8);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Two epochs of a run: step, epoch and eval lines. */
  static String metrics() {
    return """
        {"kind":"step","epoch":1,"step":1,"loss":2.0,"lr":0.001,"grad_norm":1.0}
        {"kind":"step","epoch":1,"step":2,"loss":1.5,"lr":0.002,"grad_norm":1.0}
        {"kind":"epoch","epoch":1,"step":2,"loss":1.75,"lr":0.002,"seconds":1.0,"images_per_sec":10}
        {"kind":"eval","epoch":1,"step":2,"split":"val","top1":0.25,"top3":1.0,"mean_per_class":0.25}
        {"kind":"step","epoch":2,"step":3,"loss":1.0,"lr":0.001,"grad_norm":1.0}
        {"kind":"step","epoch":2,"step":4,"loss":0.5,"lr":0.0005,"grad_norm":1.0}
        {"kind":"epoch","epoch":2,"step":4,"loss":0.75,"lr":0.0005,"seconds":1.0,"images_per_sec":10}
        {"kind":"eval","epoch":2,"step":4,"split":"val","top1":0.75,"top3":1.0,"mean_per_class":0.75}
        """;
  }

  /** Test results of two classes (names JSON-escaped by the caller): 3 of 4 and 4 of 4. */
  static String testMetrics(String classA, String classB) {
    return """
        {"images": 8, "top1": 0.875, "top3": 1.0, "k": 3, "mean_per_class": 0.875,
           "per_class": {"%1$s": 0.75, "%2$s": 1.0},
           "confusion": [[3, 1], [0, 4]], "classes": ["%1$s", "%2$s"]}""".formatted(classA,
        classB);
  }

  /** A finished run's report.json with the given class names (JSON-escaped by the caller). */
  static String report(String classA, String classB) {
    return """
        {"run": "tiny", "method": "lora", "backbone": "vit", "epochs": 2,
         "parameters": {"trainable": 25, "frozen": 75},
         "test": %s,
         "training": {"images": 64, "seconds": 75.4, "images_per_sec": 0.85}}
        """.formatted(testMetrics(classA, classB));
  }

  /** A finished run (config, metrics, report) without checkpoints. */
  static Path finished(Path dir) {
    write(dir, "config.pbtxt", CONFIG);
    write(dir, "metrics.jsonl", metrics());
    return write(dir, "report.json", report("cat", "dog"));
  }
}
