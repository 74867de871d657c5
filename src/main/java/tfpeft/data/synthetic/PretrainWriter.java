package tfpeft.data.synthetic;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes {@code pretrain/}: {@code images/NNNNNN.png}, {@code index.tsv} (a header, then per
 * image its path, one label column per {@link Attribute} and the caption) and {@code
 * attributes.json} (attribute name to class names in label order).
 */
final class PretrainWriter {
  static final String DIRECTORY = "pretrain";
  static final String INDEX = "index.tsv";
  static final String ATTRIBUTES = "attributes.json";
  /** Stream name from which image i derives its random stream. */
  static final String STREAM = "pretrain";

  private PretrainWriter() {}

  static void write(Path root, SyntheticOptions options, ParallelImages pool, ProgressListener listener)
      throws IOException {
    Path dir = root.resolve(DIRECTORY);
    Files.createDirectories(dir.resolve("images"));
    List<String> rows = pool.run("pretrain", options.pretrainCount(), i -> {
      SplittableRandom rng = RngStreams.forItem(options.seed(), STREAM, i);
      PretrainExample example = PretrainSampler.sample(rng);
      String path = imagePath(i);
      OutputFiles.writePng(SceneRenderer.render(example.scene(), options.imageSize()), dir.resolve(path));
      return row(path, example);
    }, listener);
    List<String> lines = new ArrayList<>(rows.size() + 1);
    lines.add(header());
    lines.addAll(rows);
    OutputFiles.writeLines(dir.resolve(INDEX), lines);
    JsonObject attributes = new JsonObject();
    for (Attribute attribute : Attribute.values()) {
      attributes.add(attribute.key(), OutputFiles.jsonStrings(attribute.classNames()));
    }
    OutputFiles.writePrettyJson(dir.resolve(ATTRIBUTES), attributes);
  }

  static String imagePath(int index) {
    return String.format(Locale.ROOT, "images/%06d.png", index);
  }

  /** "image", the attribute keys in order, then "caption", tab-separated. */
  static String header() {
    StringBuilder line = new StringBuilder("image");
    for (Attribute attribute : Attribute.values()) {
      line.append('\t').append(attribute.key());
    }
    return line.append("\tcaption").toString();
  }

  private static String row(String path, PretrainExample example) {
    StringBuilder line = new StringBuilder(path);
    for (int label : example.labels()) {
      line.append('\t').append(label);
    }
    return line.append('\t').append(example.caption()).toString();
  }
}
