package tfpeft.model.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;

/**
 * The Java tokenizer against ids written by tools/clip_tokenizer_reference.py, an independent
 * Python implementation of CLIP's tokenizer (see tools/make_tokenizer_fixtures.sh).
 */
class ClipTokenizerReferenceTest {
  private static Path fixtures;
  private static JsonObject expected;
  private static List<JsonObject> entries;

  @BeforeAll
  static void readFixtures() throws IOException, URISyntaxException {
    fixtures = Path.of(ClipTokenizerReferenceTest.class
        .getResource("/fixtures/tokenizer/expected.json").toURI()).getParent();
    expected = JsonParser.parseString(
        Files.readString(fixtures.resolve("expected.json"), StandardCharsets.UTF_8))
        .getAsJsonObject();
    entries = new ArrayList<>();
    for (JsonElement entry : expected.getAsJsonArray("entries")) {
      entries.add(entry.getAsJsonObject());
    }
  }

  private static int[] ints(JsonArray array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).getAsInt();
    }
    return out;
  }

  private static void assertEncodesLikeReference(ClipTokenizer tokenizer) {
    for (JsonObject entry : entries) {
      String text = entry.get("text").getAsString();
      assertArrayEquals(ints(entry.getAsJsonArray("ids")), tokenizer.encode(text),
          () -> "ids of " + JsonParser.parseString(entry.get("text").toString()));
    }
  }

  @Test
  void vocabJsonEncodesTheCorpusLikeTheReference() {
    assertEncodesLikeReference(ClipTokenizer.load(fixtures.resolve("vocab.json")));
  }

  @Test
  void originalMergesFileEncodesTheCorpusLikeTheReference() {
    assertEncodesLikeReference(ClipTokenizer.load(fixtures.resolve("bpe_small_vocab.txt.gz")));
  }

  @Test
  void directoryLoadsTheVocabJsonInIt() {
    assertEncodesLikeReference(ClipTokenizer.load(fixtures));
  }

  @Test
  void bothLayoutsAgreeOnSpecialsAndSize() {
    ClipTokenizer json = ClipTokenizer.load(fixtures.resolve("vocab.json"));
    ClipTokenizer original = ClipTokenizer.load(fixtures.resolve("bpe_small_vocab.txt.gz"));
    for (ClipTokenizer tokenizer : List.of(json, original)) {
      assertEquals(expected.get("sot").getAsInt(), tokenizer.sotId());
      assertEquals(expected.get("eot").getAsInt(), tokenizer.eotId());
      assertEquals(expected.get("vocab_size").getAsInt(), tokenizer.vocabSize());
    }
  }

  @Test
  void decodeMatchesTheReferenceIncludingBrokenUtf8() {
    ClipTokenizer tokenizer = ClipTokenizer.load(fixtures.resolve("vocab.json"));
    for (JsonObject entry : entries) {
      int[] ids = ints(entry.getAsJsonArray("ids"));
      assertEquals(entry.get("decoded").getAsString(), tokenizer.decode(ids));
      int[] prefix = Arrays.copyOf(ids, ids.length * 2 / 3);
      assertEquals(entry.get("decoded_prefix").getAsString(), tokenizer.decode(prefix),
          () -> "decoded prefix of " + entry.get("text"));
    }
  }

  @Test
  void tokenizeWithTruncationMatchesTheReference() {
    ClipTokenizer tokenizer = ClipTokenizer.load(fixtures.resolve("vocab.json"));
    int contextLength = expected.get("context_length").getAsInt();
    for (JsonObject entry : entries) {
      assertArrayEquals(ints(entry.getAsJsonArray("tokens")),
          tokenizer.tokenize(entry.get("text").getAsString(), contextLength, true));
    }
  }

  /**
   * With CLIP's released merges file (49,408 tokens), which is not committed: run with
   * -Dtfpeft.clipBpe=.../bpe_simple_vocab_16e6.txt.gz or TFPEFT_CLIP_BPE set.
   */
  @Test
  void fullClipVocabularyEncodesTheCorpusLikeTheReference() throws IOException {
    String location = System.getProperty("tfpeft.clipBpe", System.getenv("TFPEFT_CLIP_BPE"));
    Assumptions.assumeTrue(location != null && Files.isRegularFile(Path.of(location)),
        "CLIP's bpe_simple_vocab_16e6.txt.gz not given");
    ClipTokenizer tokenizer = ClipTokenizer.load(Path.of(location));
    JsonObject clip = JsonParser.parseString(Files.readString(
        fixtures.resolve("expected-clip-vocab.json"), StandardCharsets.UTF_8)).getAsJsonObject();
    assertEquals(49406, tokenizer.sotId());
    assertEquals(49407, tokenizer.eotId());
    assertEquals(49408, tokenizer.vocabSize());
    assertArrayEquals(new int[] {320, 1125, 539, 320, 2368}, tokenizer.encode("a photo of a cat"));
    for (JsonElement element : clip.getAsJsonArray("entries")) {
      JsonObject entry = element.getAsJsonObject();
      int[] ids = ints(entry.getAsJsonArray("ids"));
      assertArrayEquals(ids, tokenizer.encode(entry.get("text").getAsString()));
      assertEquals(entry.get("decoded").getAsString(), tokenizer.decode(ids));
    }
  }

  @Test
  void tokenizeWithoutTruncationRejectsExactlyTheTextsThatDoNotFit() {
    ClipTokenizer tokenizer = ClipTokenizer.load(fixtures.resolve("vocab.json"));
    int contextLength = expected.get("context_length").getAsInt();
    int tooLong = 0;
    for (JsonObject entry : entries) {
      String text = entry.get("text").getAsString();
      if (entry.get("fits").getAsBoolean()) {
        assertArrayEquals(ints(entry.getAsJsonArray("tokens")),
            tokenizer.tokenize(text, contextLength, false));
      } else {
        tooLong++;
        assertThrows(TfpeftException.class, () -> tokenizer.tokenize(text, contextLength, false));
      }
    }
    assertTrue(tooLong >= 2, "the corpus should hold over-long texts");
  }
}
