package tfpeft.peft.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import tfpeft.config.proto.Encoders;
import tfpeft.config.proto.MaskGroup;
import tfpeft.model.ClipGraph;
import tfpeft.model.ClipModel;
import tfpeft.model.Init;
import tfpeft.model.Linear;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.SiteHook;
import tfpeft.model.VariableValues;
import tfpeft.peft.TinyModels;

/** The binary mask at a site: forward value, straight-through gradient, initial identity. */
class MaskSiteTest {
  static final String SITE = "block0/attn/q";
  /** Real-valued mask of a [3, 2] weight: two entries at or below the threshold 5e-3. */
  static final float[] MASK = {0.01f, 0.001f, 0.02f, 0.3f, 0.005f, 0.0051f};
  static final float[] BINARY = {1, 0, 1, 1, 0, 1};
  static final float[] X = {0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f};
  static final float[] R = {1f, -2f, 0.5f, 3f};

  static MaskSite amt() {
    return new MaskSite(new MaskTargets(MaskGroup.AMT, Encoders.IMAGE), 0.01f, 0.005f);
  }

  /** sum(tanh(x W' + b) * R) for the site's effective weight W'. */
  static Operand<TFloat32> loss(Net net) {
    Ops tf = net.tf();
    Operand<TFloat32> x = tf.constant(Shape.of(2, 3), DataBuffers.of(X));
    Operand<TFloat32> y = tf.math.tanh(Linear.apply(net, "backbone/", SITE, x, 3, 2, true,
        new Init.Uniform(1f)));
    return tf.reduceSum(tf.math.mul(y, tf.constant(Shape.of(2, 2), DataBuffers.of(R))),
        tf.constant(new int[] {0, 1}));
  }

  static float[] read(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.asRawTensor().data().asFloats().read(out);
    return out;
  }

  @Test
  void theStraightThroughGradientEqualsTheGradientWithRespectToTheBinaryMask() {
    float[] lossMasked;
    float[] gradMask;
    try (Graph g = new Graph()) {
      Net net = new Net(g, 3);
      MaskSite masks = amt();
      net.addHook(masks);
      Operand<TFloat32> loss = loss(net);
      ModelVariable m = masks.maskVariables().get(0);
      Output<?>[] grad = g.addGradients(loss.asOutput(), new Output<?>[] {m.value().asOutput()});
      try (Session s = new Session(g)) {
        s.initialize();
        VariableValues.assign(s, m, MASK);
        try (var r = s.runner().fetch(loss).fetch(grad[0]).run()) {
          lossMasked = read((TFloat32) r.get(0));
          gradMask = read((TFloat32) r.get(1));
        }
      }
    }
    // the same model with the binary mask as an input of its own
    float[] lossBinary;
    float[] gradBinary;
    try (Graph g = new Graph()) {
      Net net = new Net(g, 3);
      Placeholder<TFloat32> b = net.tf().placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(3, 2)));
      net.addHook(new SiteHook() {
        @Override
        public Operand<TFloat32> weight(Net n, String site, Operand<TFloat32> w) {
          return n.tf().math.mul(w, b);
        }
      });
      Operand<TFloat32> loss = loss(net);
      Output<?>[] grad = g.addGradients(loss.asOutput(), new Output<?>[] {b.asOutput()});
      try (Session s = new Session(g);
          TFloat32 bv = TFloat32.tensorOf(Shape.of(3, 2), DataBuffers.of(BINARY))) {
        s.initialize();
        try (var r = s.runner().feed(b, bv).fetch(loss).fetch(grad[0]).run()) {
          lossBinary = read((TFloat32) r.get(0));
          gradBinary = read((TFloat32) r.get(1));
        }
      }
    }
    assertArrayEquals(lossBinary, lossMasked, 0f);
    assertArrayEquals(gradBinary, gradMask, 0f);
    // a dropped weight still gets the gradient of its mask entry (the straight-through estimate)
    assertTrue(gradMask[1] != 0f && gradMask[4] != 0f);
  }

  @Test
  void masksAtTheirInitialValueReproduceTheFrozenModelExactly() {
    float[] frozen;
    try (Graph g = new Graph()) {
      Net net = new Net(g, 11);
      frozen = TinyModels.clipLogits(g, net, ClipGraph.build(net, TinyModels.CLIP, false), 2);
    }
    float[] masked;
    try (Graph g = new Graph()) {
      Net net = new Net(g, 11);
      MaskSite masks = new MaskSite(new MaskTargets(MaskGroup.PMT, Encoders.BOTH), 0.01f,
          0.005f);
      net.addHook(masks);
      masked = TinyModels.clipLogits(g, net, ClipGraph.build(net, TinyModels.CLIP, false), 2);
      // two image blocks of six weights and the patch embedding, one text block
      assertEquals(2 * 6 + 1 + 6, masks.masked().size());
    }
    assertArrayEquals(frozen, masked, 0f);
  }

  @Test
  void everyMaskHasItsWeightsShapeAndNoBiasIsMasked() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      MaskSite masks = new MaskSite(new MaskTargets(MaskGroup.PMT, Encoders.BOTH), 0.01f,
          0.005f);
      net.addHook(masks);
      ClipGraph.build(net, TinyModels.CLIP, false);
      for (MaskSite.Masked m : masks.masked()) {
        assertEquals("peft/mask/" + m.site() + "/mask", m.mask().name());
        assertEquals(net.variable(m.weightName()).shape(), m.mask().shape());
      }
      List<ModelVariable> peft = net.variables("peft/");
      assertEquals(masks.maskVariables(), peft);
      assertFalse(peft.stream().anyMatch(v -> v.name().contains("bias")));
    }
  }

  @Test
  void aTowerBuiltTwiceSharesItsMasks() {
    try (Graph g = new Graph()) {
      Net net = new Net(g, 1);
      MaskSite masks = new MaskSite(new MaskTargets(MaskGroup.AMT, Encoders.TEXT), 0.01f,
          0.005f);
      net.addHook(masks);
      ClipGraph clip = ClipGraph.build(net, TinyModels.CLIP, false);
      int once = masks.maskVariables().size();
      ClipModel.textFeatures(net, clip.textIds(), clip.spec());
      assertEquals(4, once);
      assertEquals(once, masks.maskVariables().size());
      assertEquals(once, net.variables("peft/").size());
    }
  }

  @Test
  void bypassBuildsTheFrozenModelBesideTheMaskedOne() {
    float[] frozen;
    try (Graph g = new Graph()) {
      Net net = new Net(g, 5);
      ClipGraph clip = ClipGraph.build(net, TinyModels.CLIP, false);
      frozen = features(g, net, clip.images(), clip.imageFeatures(), null);
    }
    try (Graph g = new Graph()) {
      Net net = new Net(g, 5);
      MaskSite masks = amt();
      net.addHook(masks);
      ClipGraph clip = ClipGraph.build(net, TinyModels.CLIP, false);
      Operand<TFloat32> teacher = masks.bypass(() ->
          ClipModel.imageFeatures(net, clip.images(), clip.spec(), 0f));
      // every weight dropped: the masked tower changes, the bypassed one does not
      float[] zeroed = features(g, net, clip.images(), clip.imageFeatures(), masks);
      float[] bypassed = features(g, net, clip.images(), teacher, masks);
      assertArrayEquals(frozen, bypassed, 0f);
      assertFalse(java.util.Arrays.equals(frozen, zeroed));
    }
  }

  /** Image features of two images, after setting every mask (if any) to -1. */
  static float[] features(Graph g, Net net, Placeholder<TFloat32> images,
      Operand<TFloat32> features, MaskSite zeroAll) {
    try (Session s = new Session(g)) {
      s.initialize();
      if (zeroAll != null) {
        for (ModelVariable m : zeroAll.maskVariables()) {
          float[] v = new float[(int) m.size()];
          java.util.Arrays.fill(v, -1f);
          VariableValues.assign(s, m, v);
        }
      }
      try (TFloat32 x = TinyModels.clipImages(2);
          TFloat32 rate = TFloat32.scalarOf(0f);
          TInt64 seed = TInt64.vectorOf(0, 0);
          var r = s.runner().feed(images, x).feed(net.dropPathRate(), rate)
              .feed(net.stepSeed(), seed).fetch(features).run()) {
        return read((TFloat32) r.get(0));
      }
    }
  }
}
