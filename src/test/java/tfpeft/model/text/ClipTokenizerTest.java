package tfpeft.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;

class ClipTokenizerTest {
  // Byte symbols sit at (byte - 33) for printable ASCII; the same + "</w>" 256 later.
  private static final int W = 'w' - 33;
  private static final int E = 'e' - 33;
  private static final int S = 's' - 33;
  private static final int T_END = 256 + 't' - 33;
  private static final int A_END = 256 + 'a' - 33;

  @TempDir Path dir;

  private ClipTokenizer withMerges(String... merges) throws IOException {
    Path file = dir.resolve("merges-" + merges.length + "-" + merges[0].charAt(0) + ".txt");
    Files.writeString(file, "#version: 0.2\n" + String.join("\n", merges) + "\n");
    return ClipTokenizer.load(file);
  }

  /** l+o, then lo+w</w>, then e+r</w>: ids 512, 513, 514; specials 515 and 516. */
  private ClipTokenizer lowLower() throws IOException {
    return withMerges("l o", "lo w</w>", "e r</w>");
  }

  private static ClipTokenizer fixtureTokenizer() throws URISyntaxException {
    return ClipTokenizer.load(Path.of(ClipTokenizerTest.class
        .getResource("/fixtures/tokenizer/vocab.json").toURI()));
  }

  @Test
  void threeMergeVocabularyHasCLipsIdLayout() throws IOException {
    ClipTokenizer tokenizer = lowLower();
    assertEquals(515, tokenizer.sotId());
    assertEquals(516, tokenizer.eotId());
    assertEquals(517, tokenizer.vocabSize());
  }

  @Test
  void bpeWorkedByHandOnThreeMerges() throws IOException {
    ClipTokenizer tokenizer = lowLower();
    // low: l o w</w> -> lo w</w> -> low</w>
    assertArrayEquals(new int[] {513}, tokenizer.encode("low"));
    // lower: l o w e r</w> -> lo w e r</w> -> lo w er</w> (lo+w is only a merge before </w>)
    assertArrayEquals(new int[] {512, W, 514}, tokenizer.encode("lower"));
    // lowest: only l+o applies
    assertArrayEquals(new int[] {512, W, E, S, T_END}, tokenizer.encode("lowest"));
    assertArrayEquals(new int[] {A_END}, tokenizer.encode("a"));
  }

  @Test
  void lowestRankedPairMergesFirstWhereverItIs() throws IOException {
    ClipTokenizer tokenizer = withMerges("b c</w>", "a b");
    // a b c</w>: "b c</w>" (rank 0) beats the leftmost "a b" (rank 1), which then cannot apply.
    assertArrayEquals(new int[] {'a' - 33, 512}, tokenizer.encode("abc"));
  }

  @Test
  void repeatedPairMergesLeftToRightWithoutOverlap() throws IOException {
    ClipTokenizer tokenizer = withMerges("a a");
    // a a a</w> -> aa a</w>; a a a a</w> -> aa a a</w> (the last "a" carries </w>)
    assertArrayEquals(new int[] {512, A_END}, tokenizer.encode("aaa"));
    assertArrayEquals(new int[] {512, 'a' - 33, A_END}, tokenizer.encode("aaaa"));
  }

  @Test
  void tokenizeBracketsWithSpecialsAndPadsWithZeros() throws IOException {
    ClipTokenizer tokenizer = lowLower();
    assertArrayEquals(new int[] {515, 513, 512, W, 514, 516, 0, 0},
        tokenizer.tokenize("Low LOWER", 8, false));
    assertArrayEquals(new int[] {515, 516, 0}, tokenizer.tokenize("", 3, false));
  }

  @Test
  void textThatFillsTheContextExactlyFits() throws IOException {
    assertArrayEquals(new int[] {515, 513, 513, 516}, lowLower().tokenize("low low", 4, false));
  }

  @Test
  void overLongTextIsAnErrorNamingTextAndLengths() throws IOException {
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> lowLower().tokenize("low low low", 4, false));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("\"low low low\""), e.getMessage());
    assertTrue(e.getMessage().contains("5 tokens"), e.getMessage());
    assertTrue(e.getMessage().contains("context length 4"), e.getMessage());
  }

  @Test
  void overLongTextIsQuotedByItsFirst60Characters() throws IOException {
    String text = "low ".repeat(80);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> lowLower().tokenize(text, 77, false));
    assertTrue(e.getMessage().contains("\"" + text.substring(0, 60) + "...\""), e.getMessage());
  }

  @Test
  void truncationKeepsTheFirstTokensAndEndsWithEot() throws IOException {
    assertArrayEquals(new int[] {515, 513, 513, 516},
        lowLower().tokenize("low low low lower", 4, true));
  }

  @Test
  void contextShorterThanTheSpecialsIsAnError() throws IOException {
    ClipTokenizer tokenizer = lowLower();
    assertThrows(TfpeftException.class, () -> tokenizer.tokenize("low", 1, true));
  }

  @Test
  void decodeOfEncodeGivesTheCleanedWordsBackSpaceSeparated() throws URISyntaxException {
    ClipTokenizer tokenizer = fixtureTokenizer();
    for (String text : List.of("A photo of a CAT",
        "a small red striped circle on a dark background", "  three   blue\tsquares ")) {
      String decoded = tokenizer.decode(tokenizer.encode(text));
      assertTrue(decoded.endsWith(" "), decoded);
      assertEquals(ClipTextSplitter.clean(text), decoded.strip());
    }
  }

  @Test
  void decodeOfEncodeKeepsEveryCharacterOfAsciiText() throws URISyntaxException {
    ClipTokenizer tokenizer = fixtureTokenizer();
    String text = "Hello, world! It's 3:45pm; (a+b)*c = \"zebra-quartz\" ~/x_y.txt";
    String decoded = tokenizer.decode(tokenizer.encode(text));
    // Pieces come back separated by spaces, so compare without them.
    assertEquals(ClipTextSplitter.clean(text).replace(" ", ""), decoded.replace(" ", ""));
  }

  @Test
  void decodeWritesSpecialsByName() throws IOException {
    ClipTokenizer tokenizer = lowLower();
    assertEquals("<|startoftext|>low <|endoftext|>", tokenizer.decode(new int[] {515, 513, 516}));
  }

  @Test
  void decodeOfAnUnknownIdIsAnError() throws IOException {
    ClipTokenizer tokenizer = lowLower();
    assertThrows(TfpeftException.class, () -> tokenizer.decode(new int[] {517}));
    assertThrows(TfpeftException.class, () -> tokenizer.decode(new int[] {-1}));
  }

  @Test
  void concurrentEncodingGivesTheSameIdsAsSerial() throws Exception {
    ClipTokenizer serial = fixtureTokenizer();
    ClipTokenizer shared = fixtureTokenizer();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      texts.add("a photo of " + i + " striped circles number" + (i % 37) + " caf\u00e9");
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<int[]>> results = new ArrayList<>();
      for (String text : texts) {
        results.add(pool.submit(() -> shared.encode(text)));
      }
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(serial.encode(texts.get(i)), results.get(i).get());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
