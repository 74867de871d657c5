package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.config.proto.CoopConfig;
import tfpeft.model.text.ClipTokenizer;

/** Class prompt ids and the phrase initialization of the context. */
class ClassPromptsTest {
  static final ClipTokenizer TOKENIZER = TinyClip.tokenizer();

  @Test
  void classPromptIsStartSlotsNameDotEnd() {
    int[] phrase = TOKENIZER.encode("a photo");
    int[][] ids = new ClassPrompts(TOKENIZER, 12, 4, phrase).ids(List.of("dark_red"));
    int filler = TOKENIZER.encode("X")[0];
    int[] name = TOKENIZER.encode("dark red.");
    int[] want = new int[12];
    want[0] = TOKENIZER.sotId();
    want[1] = phrase[0];
    want[2] = phrase[1];
    want[3] = filler;
    want[4] = filler;
    System.arraycopy(name, 0, want, 5, name.length);
    want[5 + name.length] = TOKENIZER.eotId();
    assertArrayEquals(want, ids[0]);
    assertEquals(5 + name.length, argmax(ids[0]), "CLIP pools at the end token");
  }

  @Test
  void aPromptLongerThanTheContextIsAUsageError() {
    ClassPrompts p = new ClassPrompts(TOKENIZER, 8, 5, new int[0]);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> p.ids(List.of("red green blue")));
    assertTrue(e.getMessage().contains("red green blue"), e.getMessage());
  }

  @Test
  void coopContextLengthDefaultsToThePhraseAndAPhraseTooLongIsRefused() {
    try (TinyClip m = new TinyClip(net -> CoopPrompts.attach(net, TinyClip.spec(),
        CoopConfig.newBuilder().setInit("a photo of a").build(), TOKENIZER))) {
      assertArrayEquals(new long[] {1, 4, 12}, m.net.variable("peft/coop/ctx").shape().asArray());
    }
    TfpeftException e = assertThrows(TfpeftException.class, () -> new TinyClip(
        net -> CoopPrompts.attach(net, TinyClip.spec(), CoopConfig.newBuilder().setNCtx(2)
            .setInit("a photo of a").build(), TOKENIZER)));
    assertTrue(e.getMessage().startsWith("method.coop.init"), e.getMessage());
  }

  @Test
  void phraseInitCopiesTheTokenEmbeddingsIntoTheFirstContextVectorsOnly() {
    int[] phrase = TOKENIZER.encode("a photo");
    try (TinyClip m = new TinyClip(net -> CoopPrompts.attach(net, TinyClip.spec(),
        CoopConfig.newBuilder().setNCtx(3).setDepth(2).setInit("a photo").build(), TOKENIZER))) {
      float[] before = m.read("peft/coop/ctx");
      float[] table = m.read("backbone/text/token_embedding");
      m.setup.initialize(m.session);
      float[] after = m.read("peft/coop/ctx");
      int d = TinyClip.spec().text().width();
      for (int j = 0; j < 2; j++) {
        assertArrayEquals(Arrays.copyOfRange(table, phrase[j] * d, (phrase[j] + 1) * d),
            Arrays.copyOfRange(after, j * d, (j + 1) * d), "vector " + j);
      }
      assertArrayEquals(Arrays.copyOfRange(before, 2 * d, before.length),
          Arrays.copyOfRange(after, 2 * d, after.length), "the rest keep their start");
    }
  }

  static int argmax(int[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
