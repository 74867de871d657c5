package tfpeft.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;

class BpeTrainerTest {
  @TempDir Path dir;

  private static List<String> pairs(List<String[]> merges) {
    List<String> out = new ArrayList<>();
    for (String[] merge : merges) {
      out.add(merge[0] + " " + merge[1]);
    }
    return out;
  }

  @Test
  void mostFrequentPairMergesFirstWeightedByWordCount() {
    // aab x2: a a b</w>; ab x1: a b</w>. Counts: "a a" 2, "a b</w>" 2+1 = 3 -> merge it.
    // Then aab is a ab</w>: "a ab</w>" occurs 2 times -> merge. Nothing occurs twice after.
    List<String[]> merges = BpeTrainer.learnMerges(List.of("aab aab ab"), 10);
    assertEquals(List.of("a b</w>", "a ab</w>"), pairs(merges));
  }

  @Test
  void tiesGoToThePairThatSortsFirst() {
    // "a b</w>" and "c d</w>" both occur twice.
    assertEquals(List.of("a b</w>", "c d</w>"),
        pairs(BpeTrainer.learnMerges(List.of("cd ab cd ab"), 10)));
  }

  @Test
  void pairsSeenOnceAreNotMerged() {
    assertEquals(List.of("c d</w>"), pairs(BpeTrainer.learnMerges(List.of("ab cd CD"), 10)));
  }

  @Test
  void mergeCountLimitsTraining() {
    assertEquals(List.of("a b</w>"),
        pairs(BpeTrainer.learnMerges(List.of("aab aab ab"), 1)));
    assertEquals(List.of(), pairs(BpeTrainer.learnMerges(List.of("aab aab ab"), 0)));
  }

  @Test
  void textsAreCleanedAndSplitLikeTheTokenizer() {
    // Both texts read as "it" + "'s" (the second after unescaping and lower-casing), so
    // "' s</w>" and "i t</w>" occur twice each; "'" sorts before "i".
    assertEquals(List.of("' s</w>", "i t</w>"),
        pairs(BpeTrainer.learnMerges(List.of("It's", "&lt;IT&#39;S"), 10)));
  }

  @Test
  void negativeMergeCountIsAnError() {
    assertThrows(TfpeftException.class, () -> BpeTrainer.learnMerges(List.of("a"), -1));
  }

  @Test
  void trainedVocabularyEncodesItsCorpusWithTheMerges() {
    BpeVocabulary vocabulary = BpeTrainer.train(List.of("aab aab ab"), 10);
    ClipTokenizer tokenizer = new ClipTokenizer(vocabulary);
    assertEquals(512 + 2 + 2, tokenizer.vocabSize());
    assertArrayEquals(new int[] {513, 512}, tokenizer.encode("aab ab"));
  }

  @Test
  void writtenFilesLoadBackWithTheSameIds() throws IOException {
    List<String> corpus = List.of("a small red striped circle on a dark background",
        "a photo of three blue squares", "a green star in the top left", "it's a red star");
    BpeVocabulary trained = BpeTrainer.train(corpus, 50);
    BpeTrainer.write(trained, dir);
    ClipTokenizer fromJson = ClipTokenizer.load(dir.resolve("vocab.json"));
    ClipTokenizer fromDirectory = ClipTokenizer.load(dir);
    ClipTokenizer fromMergesOnly = ClipTokenizer.load(dir.resolve("merges.txt"));
    ClipTokenizer inMemory = new ClipTokenizer(trained);
    for (String text : corpus) {
      int[] ids = inMemory.encode(text);
      assertArrayEquals(ids, fromJson.encode(text));
      assertArrayEquals(ids, fromDirectory.encode(text));
      assertArrayEquals(ids, fromMergesOnly.encode(text));
    }
    assertEquals(inMemory.vocabSize(), fromJson.vocabSize());
    assertEquals(inMemory.eotId(), fromMergesOnly.eotId());
  }

  @Test
  void writtenFilesHaveClipsLayout() throws IOException {
    BpeTrainer.write(BpeTrainer.train(List.of("aab aab ab"), 10), dir);
    List<String> merges = Files.readAllLines(dir.resolve("merges.txt"));
    assertEquals(List.of("#version: 0.2", "a b</w>", "a ab</w>"), merges);
    String vocab = Files.readString(dir.resolve("vocab.json"));
    assertEquals(true, vocab.startsWith("{\n  \"!\": 0,\n  \"\\\"\": 1,"), vocab.substring(0, 30));
    assertEquals(true, vocab.contains("\n  \"!</w>\": 256,\n"));
    assertEquals(true, vocab.endsWith("\"ab</w>\": 512,\n  \"aab</w>\": 513,\n"
        + "  \"<|startoftext|>\": 514,\n  \"<|endoftext|>\": 515\n}\n"), vocab);
  }

  @Test
  void writingLeavesNoTemporaryFilesAndReplacesOldOnes() throws IOException {
    BpeTrainer.write(BpeTrainer.train(List.of("ab ab"), 10), dir);
    BpeTrainer.write(BpeTrainer.train(List.of("aab aab ab"), 10), dir);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of("merges.txt", "vocab.json"), files.map(p -> p.getFileName().toString())
          .sorted().collect(Collectors.toList()));
    }
    assertEquals(516, ClipTokenizer.load(dir).vocabSize());
  }
}
