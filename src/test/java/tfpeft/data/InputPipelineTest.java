package tfpeft.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.data.image.RgbImage;

class InputPipelineTest {
  /** Writes the example's red value plus a random draw, so both order and rng are visible. */
  static final Preprocess NOISY = new Preprocess() {
    @Override
    public int height() {
      return 1;
    }

    @Override
    public int width() {
      return 1;
    }

    @Override
    public void apply(RgbImage image, SplittableRandom rng, float[] dst, int offset) {
      dst[offset] = image.get(0, 0, 0);
      dst[offset + 1] = (float) rng.nextDouble();
      dst[offset + 2] = 0;
    }
  };

  static Split numbered(int n) {
    List<Example> ex = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int v = i;
      ex.add(new Example("ex" + i, i % 3, () -> TestImages.solid(1, 1, v, 0, 0)));
    }
    return new Split("train", ex);
  }

  static List<Batch> epoch(Split s, int threads, int batch, boolean dropLast, int epoch) {
    var opts = new InputPipeline.Options(batch, dropLast, true, threads, 2, 42);
    try (InputPipeline p = new InputPipeline(s, NOISY, opts, BadExamples.strict())) {
      List<Batch> out = new ArrayList<>();
      p.epoch(epoch).forEachRemaining(out::add);
      return out;
    }
  }

  @Test
  void batchesAreIdenticalWhateverTheNumberOfThreads() {
    Split s = numbered(37);
    List<Batch> one = epoch(s, 1, 8, false, 3);
    List<Batch> four = epoch(s, 4, 8, false, 3);
    assertEquals(one.size(), four.size());
    for (int i = 0; i < one.size(); i++) {
      assertArrayEquals(one.get(i).images(), four.get(i).images());
      assertArrayEquals(one.get(i).labels(), four.get(i).labels());
    }
  }

  @Test
  void everyExampleAppearsOnceAndOrderChangesAcrossEpochs() {
    Split s = numbered(20);
    int[] seen = new int[20];
    List<Integer> order0 = new ArrayList<>();
    for (Batch b : epoch(s, 2, 6, false, 0)) {
      for (int k = 0; k < b.size(); k++) {
        int v = (int) b.images()[k * 3];
        seen[v]++;
        order0.add(v);
        assertEquals(v % 3, b.labels()[k]);
      }
    }
    int[] ones = new int[20];
    Arrays.fill(ones, 1);
    assertArrayEquals(ones, seen);
    List<Integer> order1 = new ArrayList<>();
    epoch(s, 2, 6, false, 1).forEach(b -> {
      for (int k = 0; k < b.size(); k++) {
        order1.add((int) b.images()[k * 3]);
      }
    });
    assertNotEquals(order0, order1);
  }

  @Test
  void lastPartialBatchIsKeptOrDropped() {
    Split s = numbered(10);
    List<Batch> kept = epoch(s, 2, 4, false, 0);
    assertEquals(3, kept.size());
    assertEquals(2, kept.get(2).size());
    List<Batch> dropped = epoch(s, 2, 4, true, 0);
    assertEquals(2, dropped.size());
    assertEquals(4, dropped.get(1).size());
  }

  @Test
  void augmentationDependsOnEpochAndExampleNotPosition() {
    Split s = numbered(12);
    float[] a = randomDrawOf(epoch(s, 2, 5, false, 0), 7);
    float[] b = randomDrawOf(epoch(s, 3, 4, false, 0), 7);
    assertEquals(a[0], b[0], "same example, same epoch, different batching: same draw");
    float[] c = randomDrawOf(epoch(s, 2, 5, false, 1), 7);
    assertNotEquals(a[0], c[0]);
  }

  private static float[] randomDrawOf(List<Batch> batches, int example) {
    for (Batch b : batches) {
      for (int k = 0; k < b.size(); k++) {
        if ((int) b.images()[k * 3] == example) {
          return new float[] {b.images()[k * 3 + 1]};
        }
      }
    }
    throw new AssertionError("example not found");
  }

  @Test
  void noMoreThanPrefetchBatchesAreInFlight() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    List<Example> ex = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ex.add(new Example("ex" + i, 0, () -> {
        loads.incrementAndGet();
        return TestImages.solid(1, 1, 0, 0, 0);
      }));
    }
    var opts = new InputPipeline.Options(5, false, false, 2, 3, 1);
    try (InputPipeline p = new InputPipeline(new Split("train", ex), NOISY, opts,
        BadExamples.strict())) {
      Iterator<Batch> it = p.epoch(0);
      it.next();
      Thread.sleep(200);
      // one batch consumed, three more in flight: at most 4 batches of 5 loaded
      assertTrue(loads.get() <= 20, "loaded " + loads.get());
    }
  }

  @Test
  void aPreparedEpochGivesTheBatchesOfAnUnpreparedOne() {
    Split s = numbered(30);
    List<Batch> fresh = epoch(s, 2, 7, false, 3);
    var opts = new InputPipeline.Options(7, false, true, 2, 2, 42);
    try (InputPipeline p = new InputPipeline(s, NOISY, opts, BadExamples.strict())) {
      p.epoch(2).forEachRemaining(b -> { });
      p.prepare(3);
      List<Batch> prepared = new ArrayList<>();
      p.epoch(3).forEachRemaining(prepared::add);
      assertEquals(fresh.size(), prepared.size());
      for (int i = 0; i < fresh.size(); i++) {
        assertArrayEquals(fresh.get(i).images(), prepared.get(i).images(), "batch " + i);
        assertArrayEquals(fresh.get(i).labels(), prepared.get(i).labels(), "batch " + i);
      }
    }
  }

  @Test
  void aPreparedEpochsFirstBatchesAreLoadedBeforeItStartsAndNotAgain() throws Exception {
    AtomicInteger loads = new AtomicInteger();
    List<Example> ex = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ex.add(new Example("ex" + i, 0, () -> {
        loads.incrementAndGet();
        return TestImages.solid(1, 1, 0, 0, 0);
      }));
    }
    var opts = new InputPipeline.Options(5, false, true, 2, 2, 1);
    try (InputPipeline p = new InputPipeline(new Split("train", ex), NOISY, opts,
        BadExamples.strict())) {
      p.prepare(1);
      for (int i = 0; i < 100 && loads.get() < 10; i++) {
        Thread.sleep(20);
      }
      assertEquals(10, loads.get(), "the two prefetched batches of epoch 1");
      p.epoch(1).forEachRemaining(b -> { });
      assertEquals(20, loads.get(), "every example of the epoch decoded once");
    }
  }

  @Test
  void resumingMidEpochGivesTheRemainingBatches() {
    Split s = numbered(30);
    List<Batch> full = epoch(s, 2, 7, false, 2);
    var opts = new InputPipeline.Options(7, false, true, 2, 2, 42);
    try (InputPipeline p = new InputPipeline(s, NOISY, opts, BadExamples.strict())) {
      List<Batch> rest = new ArrayList<>();
      p.epoch(2, 3).forEachRemaining(rest::add);
      assertEquals(full.size() - 3, rest.size());
      assertArrayEquals(full.get(3).images(), rest.get(0).images());
    }
  }

  @Test
  void badImageFailsTheEpochNamingTheExample() {
    List<Example> ex = new ArrayList<>(numbered(6).examples());
    ex.set(4, new Example("list.txt:5 (bad.jpg)", 1, () -> {
      throw TfpeftException.usage("list.txt:5 (bad.jpg): not a JPEG or PNG image");
    }));
    var opts = new InputPipeline.Options(3, false, false, 2, 2, 1);
    try (InputPipeline p = new InputPipeline(new Split("train", ex), NOISY, opts,
        BadExamples.strict())) {
      Iterator<Batch> it = p.epoch(0);
      it.next();
      TfpeftException e = assertThrows(TfpeftException.class, it::next);
      assertTrue(e.getMessage().startsWith("list.txt:5 (bad.jpg)"), e.getMessage());
      assertFalse(it.hasNext());
    }
  }

  @Test
  void skippedBadImageShrinksItsBatchAndIsCounted() {
    List<Example> ex = new ArrayList<>(numbered(6).examples());
    ex.set(1, new Example("bad", 1, () -> {
      throw TfpeftException.usage("bad: corrupt");
    }));
    BadExamples bad = new BadExamples(true, w -> {});
    var opts = new InputPipeline.Options(3, false, false, 2, 2, 1);
    try (InputPipeline p = new InputPipeline(new Split("train", ex), NOISY, opts, bad)) {
      Batch first = p.epoch(0).next();
      assertEquals(2, first.size());
      assertEquals(0f, first.images()[0]);
      assertEquals(2f, first.images()[3]);
      assertArrayEquals(new int[] {0, 2}, first.labels());
      assertEquals(1, bad.count());
    }
  }
}
