package tfpeft.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;

/** Every malformed vocabulary is a usage error that names the file (and line). */
class BpeVocabularyFilesTest {
  @TempDir Path dir;

  private void writeGoodVocabulary() {
    BpeTrainer.write(BpeTrainer.train(List.of("low low lower lower"), 10), dir);
  }

  private static void assertUsageError(Path path, String... fragments) {
    TfpeftException e = assertThrows(TfpeftException.class, () -> ClipTokenizer.load(path));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), () -> "missing \"" + fragment + "\" in: "
          + e.getMessage());
    }
  }

  /** Replaces the first occurrence of {@code from} in a file. */
  private void edit(String name, String from, String to) throws IOException {
    Path file = dir.resolve(name);
    String text = Files.readString(file);
    assertTrue(text.contains(from), from);
    Files.writeString(file, text.replaceFirst(java.util.regex.Pattern.quote(from),
        java.util.regex.Matcher.quoteReplacement(to)));
  }

  @Test
  void goodVocabularyLoads() {
    writeGoodVocabulary();
    assertEquals(512 + BpeTrainer.learnMerges(List.of("low low lower lower"), 10).size() + 2,
        ClipTokenizer.load(dir).vocabSize());
  }

  @Test
  void missingFileIsNamed() {
    assertUsageError(dir.resolve("nope.json"), "nope.json", "not found");
  }

  @Test
  void directoryWithoutVocabularyIsNamed() {
    assertUsageError(dir, "vocab.json", "not found");
  }

  @Test
  void vocabJsonWithoutMergesTxtIsNamed() throws IOException {
    writeGoodVocabulary();
    Files.delete(dir.resolve("merges.txt"));
    assertUsageError(dir.resolve("vocab.json"), "merges.txt", "not found");
  }

  @Test
  void vocabJsonThatDoesNotParseNamesTheLine() throws IOException {
    writeGoodVocabulary();
    edit("vocab.json", "\"#\": 2,", "\"#\" 2,");
    assertUsageError(dir.resolve("vocab.json"), "vocab.json:4:", "not valid JSON");
  }

  @Test
  void vocabJsonThatIsNotAnObjectIsAnError() throws IOException {
    writeGoodVocabulary();
    Files.writeString(dir.resolve("vocab.json"), "[1, 2]");
    assertUsageError(dir.resolve("vocab.json"), "vocab.json", "JSON object");
  }

  @Test
  void nonIntegerIdIsAnError() throws IOException {
    writeGoodVocabulary();
    edit("vocab.json", "\"#\": 2,", "\"#\": 2.5,");
    assertUsageError(dir.resolve("vocab.json"), "vocab.json", "\"#\"", "non-negative integers");
  }

  @Test
  void sharedIdIsAnError() throws IOException {
    writeGoodVocabulary();
    edit("vocab.json", "\"#\": 2,", "\"#\": 1,");
    assertUsageError(dir.resolve("vocab.json"), "vocab.json", "share id 1");
  }

  @Test
  void mergeLineWithoutTwoSymbolsNamesFileAndLine() throws IOException {
    writeGoodVocabulary();
    edit("merges.txt", "l o\n", "l o w\n");
    assertUsageError(dir.resolve("vocab.json"), "merges.txt:2:", "two symbols", "found 3");
  }

  @Test
  void originalFormatMergeLineWithOneSymbolNamesFileAndLine() throws IOException {
    Path file = dir.resolve("bpe.txt");
    Files.writeString(file, "header\na b\nc\n");
    assertUsageError(file, "bpe.txt:3:", "two symbols", "found 1");
  }

  @Test
  void mergeResultMissingFromVocabJsonIsNamed() throws IOException {
    writeGoodVocabulary();
    Files.writeString(dir.resolve("merges.txt"),
        Files.readString(dir.resolve("merges.txt")) + "x y\n");
    int line = Files.readAllLines(dir.resolve("merges.txt")).size();
    assertUsageError(dir.resolve("vocab.json"), "merges.txt:" + line + ":", "\"xy\"",
        "not in vocab.json");
  }

  @Test
  void missingSpecialTokenIsNamed() throws IOException {
    writeGoodVocabulary();
    edit("vocab.json", ",\n  \"<|endoftext|>\"", ",\n  \"<|end|>\"");
    assertUsageError(dir.resolve("vocab.json"), "vocab.json", "<|endoftext|>", "missing");
  }

  @Test
  void missingByteSymbolIsNamed() throws IOException {
    writeGoodVocabulary();
    edit("vocab.json", "\"#\": 2,", "\"#x\": 2,");
    assertUsageError(dir.resolve("vocab.json"), "vocab.json", "\"#\"", "U+0023", "missing");
  }

  @Test
  void truncatedGzipIsAnError() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write("#version: 0.2\na b\nc d\n".repeat(50).getBytes(StandardCharsets.UTF_8));
    }
    Path file = dir.resolve("bpe_simple_vocab_16e6.txt.gz");
    Files.write(file, Arrays.copyOf(bytes.toByteArray(), 20));
    assertUsageError(file, "bpe_simple_vocab_16e6.txt.gz", "cannot read");
  }

  @Test
  void mergesFileThatIsNotUtf8IsAnError() throws IOException {
    Path file = dir.resolve("bpe.txt");
    Files.write(file, new byte[] {'h', '\n', 'a', ' ', (byte) 0xFF, '\n'});
    assertUsageError(file, "bpe.txt", "not UTF-8");
  }

  @Test
  void originalFormatUsesOnlyTheGivenNumberOfMerges() throws IOException {
    Path file = dir.resolve("bpe.txt");
    Files.writeString(file, "header\na b\nc d\ne f\n");
    assertEquals(512 + 3 + 2, ClipTokenizer.load(file).vocabSize());
    assertEquals(512 + 2 + 2, ClipTokenizer.load(file, 2).vocabSize());
    assertEquals(512 + 2, ClipTokenizer.load(file, 2).sotId());
  }
}
