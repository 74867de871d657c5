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
import tfpeft.model.text.RunTokenizer;

/** Class prompt ids of a learned context, its template, and the phrase initialization. */
class ContextPromptTest {
  static final ClipTokenizer TOKENIZER = TinyClip.tokenizer();

  @Test
  void classPromptIsStartPhraseFillersNameDotEnd() {
    int[] phrase = TOKENIZER.encode("a photo");
    int[][] ids = new ContextPrompt(TOKENIZER, 12, 4, "a photo").ids(List.of("dark_red"));
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
  void theTemplateTokenizesToTheSameIds() {
    for (ContextPrompt p : List.of(new ContextPrompt(TOKENIZER, 12, 4, "a photo"),
        new ContextPrompt(TOKENIZER, 12, 4, "a photo of a"),
        new ContextPrompt(TOKENIZER, 12, 3, ""))) {
      String t = p.template();
      assertEquals(p.length(), ContextPrompt.slotsOf(TOKENIZER, t), t);
      assertArrayEquals(p.ids(List.of("blue"))[0],
          TOKENIZER.tokenize(t.replace("{}", "blue"), 12, false), t);
    }
    assertEquals("a photo of a {}.", new ContextPrompt(TOKENIZER, 12, 4, "a photo of a")
        .template());
    assertEquals("X X X {}.", new ContextPrompt(TOKENIZER, 12, 3, "").template());
  }

  @Test
  void theMiddleAndFrontTemplatesTokenizeToTheSameIds() {
    for (var position : List.of(tfpeft.config.proto.ClassTokenPosition.MIDDLE,
        tfpeft.config.proto.ClassTokenPosition.FRONT)) {
      for (int n : new int[] {2, 3, 4}) {
        ContextPrompt p = new ContextPrompt(TOKENIZER, 16, n, "a photo", position);
        String t = p.template();
        for (String name : List.of("blue", "dark_red")) {
          assertArrayEquals(p.ids(List.of(name))[0], TOKENIZER.tokenize(t.replace("{}",
              name.replace('_', ' ')), 16, false), position + " " + t + " " + name);
        }
      }
    }
    assertEquals("X X {} X X.", new ContextPrompt(TOKENIZER, 16, 4, "",
        tfpeft.config.proto.ClassTokenPosition.MIDDLE).template());
    assertEquals("{} X X X.", new ContextPrompt(TOKENIZER, 16, 3, "",
        tfpeft.config.proto.ClassTokenPosition.FRONT).template());
  }

  @Test
  void aPromptLongerThanTheContextIsAUsageError() {
    ContextPrompt p = new ContextPrompt(TOKENIZER, 8, 5, "");
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> p.ids(List.of("red green blue")));
    assertTrue(e.getMessage().contains("red green blue"), e.getMessage());
  }

  @Test
  void coopContextLengthDefaultsToThePhraseAndAPhraseTooLongIsRefused() {
    try (TinyClip m = new TinyClip(net -> CoopPrompts.build(net, TinyClip.spec(),
        CoopConfig.newBuilder().setInit("a photo of a").build(), TOKENIZER, null))) {
      assertArrayEquals(new long[] {1, 4, 12}, m.net.variable("peft/coop/ctx").shape().asArray());
    }
    TfpeftException e = assertThrows(TfpeftException.class, () -> new TinyClip(
        net -> CoopPrompts.build(net, TinyClip.spec(), CoopConfig.newBuilder().setNCtx(2)
            .setInit("a photo of a").build(), TOKENIZER, null)));
    assertTrue(e.getMessage().startsWith("method.coop.init"), e.getMessage());
  }

  @Test
  void thePhraseStartsTheFirstContextVectorsAndTheRestStartAsWithoutIt() {
    int[] phrase = TOKENIZER.encode("a photo");
    CoopConfig c = CoopConfig.newBuilder().setNCtx(3).setDepth(2).setInit("a photo").build();
    float[] table;
    float[] random;
    try (TinyClip m = new TinyClip(net -> CoopPrompts.build(net, TinyClip.spec(), c,
        TOKENIZER, null))) {
      table = m.read("backbone/text/token_embedding");
      random = m.read("peft/coop/ctx");
    }
    try (TinyClip m = new TinyClip(net -> CoopPrompts.build(net, TinyClip.spec(), c,
        TOKENIZER, table))) {
      float[] ctx = m.read("peft/coop/ctx");
      int d = TinyClip.spec().text().width();
      for (int j = 0; j < phrase.length; j++) {
        assertArrayEquals(Arrays.copyOfRange(table, phrase[j] * d, (phrase[j] + 1) * d),
            Arrays.copyOfRange(ctx, j * d, (j + 1) * d), "vector " + j);
      }
      assertArrayEquals(Arrays.copyOfRange(random, 2 * d, random.length),
          Arrays.copyOfRange(ctx, 2 * d, ctx.length));
    }
  }

  static tfpeft.peft.MethodContext context(tfpeft.config.proto.RunConfig c,
      tfpeft.peft.RunResources resources) {
    return new tfpeft.peft.MethodContext(c, null, java.util.List.of("a"), resources);
  }

  @Test
  void thePhraseReadsTheRunsPretrainedTokenEmbeddings() {
    var c = tfpeft.config.proto.RunConfig.newBuilder();
    c.getModelBuilder().getClipBuilder().setVocabSize(726).setTextWidth(4)
        .setTokenizer("checkpoints/pretrained/clip-small/vocab.json");
    c.getModelBuilder().getWeightsBuilder().setPath("weights/the/run/has/loaded");
    float[] table = new float[726 * 4];
    java.util.List<String> asked = new java.util.ArrayList<>();
    var resources = new tfpeft.peft.RunResources(
        () -> RunTokenizer.of(c.build(), null),
        name -> {
          asked.add(name);
          return table;
        }, null);
    // the run's values, not a second read of the weights (the path does not even exist)
    org.junit.jupiter.api.Assertions.assertSame(table,
        TextContext.of(context(c.build(), resources), "a photo of a").tokenTable());
    assertEquals(java.util.List.of(TextContext.TOKEN_EMBEDDING), asked);
    assertEquals(null, TextContext.of(context(c.build(), resources), "").tokenTable(),
        "no phrase, nothing to read");
    c.getModelBuilder().getClipBuilder().setTextWidth(8);
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> TextContext.of(context(c.build(), resources), "a photo"));
    assertTrue(e.getMessage().startsWith("model.weights.path"), e.getMessage());
  }

  @Test
  void outsideARunThePhraseReadsTheWeightsFile() {
    var c = tfpeft.config.proto.RunConfig.newBuilder();
    c.getModelBuilder().getClipBuilder().setVocabSize(726).setTextWidth(96);
    c.getModelBuilder().getWeightsBuilder().setPath("checkpoints/pretrained/clip-small");
    float[] table = TextContext.of(context(c.build(), tfpeft.peft.RunResources.of(c.build())),
        "a photo of a").tokenTable();
    assertEquals(726 * 96, table.length);
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
