package tfpeft.model.imports;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import tfpeft.TfpeftException;
import tfpeft.model.text.BpeTrainer;
import tfpeft.model.text.BpeVocabularyFiles;
import tfpeft.model.weights.ElementType;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.SafetensorsWriter;
import tfpeft.util.AtomicFiles;

/**
 * Writes loaded weights as a tfpeft backbone directory (the layout of
 * tfpeft.train.pretrain.PretrainedBackbone): weights.safetensors under tfpeft's variable names
 * (float32; the ViT head too when the weights have one, with its class names in class_names.txt
 * when they come with the weights), model.pbtxt with the architecture, and
 * for CLIP the tokenizer as vocab.json + merges.txt (copied, or converted from CLIP's original
 * merges file).
 *
 * <p>All or nothing: everything is written into a hidden sibling directory that is renamed into
 * place when complete. Replacing an existing directory moves it aside first and deletes it only
 * after the rename, so a failure at any point leaves either the old directory or the new one,
 * never a mixture, and no temporary directory.
 */
public final class BackboneDirectory {
  private BackboneDirectory() {}

  /**
   * Writes {@code b} into the new directory {@code out}.
   *
   * @param overwrite whether an existing {@code out} may be replaced
   * @throws TfpeftException (exit 2) if {@code out} exists and may not be replaced; (exit 1) if
   *     writing fails
   */
  public static void write(Path out, LoadedBackbone b, boolean overwrite) {
    if (Files.exists(out) && !overwrite) {
      throw TfpeftException.usage(out + " exists; choose another --out or pass --overwrite");
    }
    Path parent = out.toAbsolutePath().getParent();
    String name = out.getFileName().toString();
    Path tmp = parent.resolve("." + name + "." + suffix() + ".tmp");
    try {
      Files.createDirectories(parent);
      Files.createDirectory(tmp);
      fill(tmp, b);
      AtomicFiles.replaceDirectory(tmp, out);
    } catch (IOException e) {
      throw TfpeftException.failure("cannot write " + out + ": " + e, e);
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
  }

  private static void fill(Path dir, LoadedBackbone b) throws IOException {
    List<NamedTensor> tensors = new ArrayList<>();
    b.tensors().forEach((n, v) -> tensors.add(new NamedTensor(n, b.shapes().get(n), v)));
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("source", b.report().source().toString());
    metadata.put("layout", b.report().layout());
    SafetensorsWriter.write(dir.resolve(Backbones.TFPEFT_WEIGHTS), tensors, ElementType.F32,
        metadata);
    AtomicFiles.writeString(dir.resolve(Backbones.TFPEFT_MODEL), "# tfpeft backbone "
        + "architecture\n# imported from " + b.report().source() + " (" + b.report().layout()
        + ")\n" + TextFormat.printer().printToString(b.model()));
    AtomicFiles.writeString(dir.resolve(Preprocessing.FILE), "# tfpeft evaluation preprocessing"
        + "\n" + TextFormat.printer().printToString(Preprocessing.of(b.report(),
            b.model().hasClip())));
    if (!b.report().classNames().isEmpty()) {
      AtomicFiles.writeString(dir.resolve(HeadLabels.FILE),
          String.join("\n", b.report().classNames()) + "\n");
    }
    Path vocab = b.vocab();
    if (vocab == null) {
      return;
    }
    if (vocab.getFileName().toString().endsWith(".json")) {
      Files.copy(vocab, dir.resolve(BpeVocabularyFiles.VOCAB_JSON));
      Files.copy(vocab.resolveSibling(BpeVocabularyFiles.MERGES_TXT),
          dir.resolve(BpeVocabularyFiles.MERGES_TXT));
    } else {
      BpeTrainer.write(BpeVocabularyFiles.load(vocab), dir);
    }
  }

  private static String suffix() {
    return Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
  }

}
