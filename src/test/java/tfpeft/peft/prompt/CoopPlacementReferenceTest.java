package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import tfpeft.config.proto.ClassTokenPosition;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.TensorFile;
import tfpeft.peft.MethodReference;

/**
 * CoOp's embedded class prompts for each class-token position, shared and per-class context,
 * against tools/make_coop_fixtures.py (the official PromptLearner's concatenation in torch):
 * the ids of ContextPrompt's template, embedded, then the context placed by the hook.
 */
class CoopPlacementReferenceTest {
  static final List<String> CLASSES = List.of("red", "dark_green", "blue sky");
  static final int LENGTH = 12;
  static final TensorFile FIXTURE = MethodReference.of("coop_prompts.npz").tensors();

  @Test
  void endWithASharedContextMatchesTheOfficialPrompts() {
    check(ClassTokenPosition.END, false, "end");
  }

  @Test
  void middleWithASharedContextMatchesTheOfficialPrompts() {
    check(ClassTokenPosition.MIDDLE, false, "middle");
  }

  @Test
  void frontWithASharedContextMatchesTheOfficialPrompts() {
    check(ClassTokenPosition.FRONT, false, "front");
  }

  @Test
  void endWithAContextPerClassMatchesTheOfficialPrompts() {
    check(ClassTokenPosition.END, true, "end_csc");
  }

  @Test
  void middleWithAContextPerClassMatchesTheOfficialPrompts() {
    check(ClassTokenPosition.MIDDLE, true, "middle_csc");
  }

  @Test
  void frontWithAContextPerClassMatchesTheOfficialPrompts() {
    check(ClassTokenPosition.FRONT, true, "front_csc");
  }

  private static void check(ClassTokenPosition position, boolean perClass, String expected) {
    NamedTensor table = FIXTURE.get("table");
    NamedTensor ctx = FIXTURE.get(perClass ? "ctx_csc" : "ctx");
    int n = (int) ctx.dim(ctx.rank() - 2);
    int[][] rows = new ContextPrompt(ContextPromptTest.TOKENIZER, LENGTH, n, "", position)
        .ids(CLASSES);
    float[] want = FIXTURE.get(expected).data();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      Ops tf = net.tf();
      Operand<TInt32> ids = tf.constant(Shape.of(rows.length, LENGTH),
          DataBuffers.of(ContextPrompt.flatten(rows), true, false));
      Operand<TFloat32> context = tf.constant(Shape.of(ctx.shape()), DataBuffers.of(ctx.data()));
      Operand<TFloat32> tokens = tf.gather(tf.constant(Shape.of(table.shape()),
          DataBuffers.of(table.data())), ids, tf.constant(0));
      SiteHook hook = !perClass && position == ClassTokenPosition.END
          ? new TextPrompts(List.of(context), 1)
          : new ClassContext(context, perClass, CLASSES.size(), position);
      Operand<TFloat32> placed = hook.textEmbeddings(net, "text/token_embed", tokens, ids);
      try (Session s = new Session(g);
          TFloat32 got = (TFloat32) s.runner().fetch(placed).run().get(0)) {
        assertEquals(want.length, got.size());
        float[] values = new float[want.length];
        got.asRawTensor().data().asFloats().read(values);
        for (int i = 0; i < want.length; i++) {
          assertEquals(want[i], values[i], MethodReference.TOLERANCE, expected + " at " + i);
        }
      }
    }
  }
}
