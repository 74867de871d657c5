package tfpeft.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.ClipConfig;
import tfpeft.config.proto.Pooling;
import tfpeft.config.proto.VitConfig;

/**
 * The sites before each tower's first block: a hook that changes nothing changes no output, and
 * tokens a hook appends are carried by every block.
 */
class EmbeddingSitesTest {
  static final ClipConfig CLIP = ClipConfig.newBuilder().setImageSize(8).setPatchSize(4)
      .setVisionWidth(8).setVisionDepth(2).setVisionHeads(2).setTextWidth(8).setTextDepth(2)
      .setTextHeads(2).setContextLength(6).setVocabSize(300).setEmbedDim(4).build();

  /** A hook at every site that returns what it is given, as a new op. */
  static final class PassThrough implements SiteHook {
    final List<String> sites = new ArrayList<>();

    @Override
    public Operand<TFloat32> embeddings(Net net, String site, Operand<TFloat32> tokens) {
      sites.add(site);
      return net.tf().identity(tokens);
    }

    @Override
    public Operand<TFloat32> blockInput(Net net, String site, Operand<TFloat32> tokens) {
      sites.add(site);
      return net.tf().identity(tokens);
    }
  }

  @Test
  void aHookThatChangesNothingLeavesClipBitIdentical() {
    PassThrough hook = new PassThrough();
    float[][] plain = clipOutputs(null);
    float[][] hooked = clipOutputs(hook);
    assertArrayEquals(plain[0], hooked[0], 0f);
    assertArrayEquals(plain[1], hooked[1], 0f);
    assertEquals(List.of("embed", "block0/in", "block1/in", "text/token_embed",
        "text/block0/in", "text/block1/in"), hook.sites);
  }

  @Test
  void tokensAppendedBeforeTheFirstBlockAreCarriedByEveryBlock() {
    VitConfig vit = VitConfig.newBuilder().setImageSize(8).setPatchSize(4).setWidth(8)
        .setDepth(2).setHeads(2).setPooling(Pooling.MEAN).build();
    List<Long> lengths = new ArrayList<>();
    try (Graph g = new Graph()) {
      Net net = new Net(g, 3);
      net.addHook(new SiteHook() {
        @Override
        public Operand<TFloat32> embeddings(Net n, String site, Operand<TFloat32> tokens) {
          Operand<TFloat32> extra = n.tf().slice(tokens, n.tf().constant(new int[] {0, 0, 0}),
              n.tf().constant(new int[] {-1, 3, -1}));
          return n.tf().concat(List.of(tokens, extra), n.tf().constant(1));
        }

        @Override
        public Operand<TFloat32> blockInput(Net n, String site, Operand<TFloat32> tokens) {
          lengths.add(tokens.shape().get(1));
          return tokens;
        }
      });
      VitClassifier.Endpoints e = VitClassifier.build(net, vit, 3, false);
      assertEquals(List.of(8L, 8L), lengths, "5 tokens and the 3 appended");
      try (Session s = new Session(g)) {
        s.initialize();
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(2, 8, 8, 3));
            TFloat32 rate = TFloat32.scalarOf(0f); TInt64 seed = TInt64.vectorOf(0, 0);
            var r = s.runner().feed(e.images(), x).feed(net.dropPathRate(), rate)
                .feed(net.stepSeed(), seed).fetch(e.logits()).run()) {
          assertEquals(Shape.of(2, 3), r.get(0).shape());
        }
      }
    }
  }

  /** Image and text features of a seeded tiny CLIP. */
  static float[][] clipOutputs(SiteHook hook) {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 5);
      if (hook != null) {
        net.addHook(hook);
      }
      ClipGraph clip = ClipGraph.build(net, CLIP, false);
      float[] px = new float[2 * 8 * 8 * 3];
      for (int i = 0; i < px.length; i++) {
        px[i] = (float) Math.cos(0.11 * i);
      }
      int[] ids = {299, 5, 7, 298, 0, 0, 299, 9, 298, 0, 0, 0};
      try (Session s = new Session(g);
          TFloat32 x = TFloat32.tensorOf(Shape.of(2, 8, 8, 3), DataBuffers.of(px));
          TInt32 t = TInt32.tensorOf(Shape.of(2, 6), DataBuffers.of(ids));
          TFloat32 rate = TFloat32.scalarOf(0f); TInt64 seed = TInt64.vectorOf(0, 0)) {
        s.initialize();
        try (var r = s.runner().feed(clip.images(), x).feed(clip.textIds(), t)
            .feed(net.dropPathRate(), rate).feed(net.stepSeed(), seed)
            .fetch(clip.imageFeatures()).fetch(clip.textFeatures()).run()) {
          float[][] out = new float[2][];
          for (int i = 0; i < 2; i++) {
            TFloat32 f = (TFloat32) r.get(i);
            out[i] = new float[(int) f.size()];
            f.asRawTensor().data().asFloats().read(out[i]);
          }
          return out;
        }
      }
    }
  }
}
