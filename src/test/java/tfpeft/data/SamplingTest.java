package tfpeft.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.config.proto.ClassSubset;
import tfpeft.config.proto.SamplingConfig;

class SamplingTest {
  /** A split with {@code perClass[c]} examples of class c; origins are "c/i". */
  static Split split(String name, int... perClass) {
    List<Example> ex = new ArrayList<>();
    for (int c = 0; c < perClass.length; c++) {
      for (int i = 0; i < perClass[c]; i++) {
        int label = c;
        ex.add(new Example(c + "/" + i, label, () -> TestImages.solid(2, 2, label, 0, 0)));
      }
    }
    return new Split(name, ex);
  }

  static List<String> origins(Split s) {
    return s.examples().stream().map(Example::origin).toList();
  }

  @Test
  void kShotTakesExactlyKPerClass() {
    Split s = FewShotSampler.sample(split("train", 30, 20, 10), 3, 4, 1);
    assertArrayEquals(new int[] {4, 4, 4}, s.classCounts(3));
  }

  @Test
  void classWithFewerThanKExamplesContributesAll() {
    Split s = FewShotSampler.sample(split("train", 30, 2), 2, 5, 1);
    assertArrayEquals(new int[] {5, 2}, s.classCounts(2));
  }

  @Test
  void sameSeedSameSampleOtherSeedOtherSample() {
    Split all = split("train", 50, 50);
    assertEquals(origins(FewShotSampler.sample(all, 2, 8, 1)),
        origins(FewShotSampler.sample(all, 2, 8, 1)));
    assertNotEquals(origins(FewShotSampler.sample(all, 2, 8, 1)),
        origins(FewShotSampler.sample(all, 2, 8, 2)));
  }

  @Test
  void aClassesSampleDoesNotDependOnOtherClasses() {
    List<String> withTwo = origins(FewShotSampler.sample(split("train", 40, 40), 2, 6, 3))
        .stream().filter(o -> o.startsWith("0/")).toList();
    List<String> withThree = origins(FewShotSampler.sample(split("train", 40, 7, 90), 3, 6, 3))
        .stream().filter(o -> o.startsWith("0/")).toList();
    assertEquals(withTwo, withThree);
  }

  @Test
  void sampleIsSpreadOverTheClassNotItsHead() {
    // over many seeds every example of a 20-example class gets drawn at some point
    boolean[] seen = new boolean[20];
    for (int seed = 0; seed < 200; seed++) {
      for (Example e : FewShotSampler.sample(split("train", 20), 1, 2, seed).examples()) {
        seen[Integer.parseInt(e.origin().substring(2))] = true;
      }
    }
    for (boolean b : seen) {
      assertEquals(true, b);
    }
  }

  @Test
  void validationGetsMinOfKAndFourPerClass() {
    Dataset d = new Dataset("t", List.of("a", "b"), split("train", 30, 30), split("val", 10, 10),
        split("test", 5, 5), List.of());
    Dataset k16 = DataSources.sample(d, SamplingConfig.newBuilder().setShots(16).build(), 1);
    assertArrayEquals(new int[] {16, 16}, k16.train().classCounts(2));
    assertArrayEquals(new int[] {4, 4}, k16.val().classCounts(2));
    assertArrayEquals(new int[] {5, 5}, k16.test().classCounts(2), "test is never sampled");
    Dataset k2 = DataSources.sample(d, SamplingConfig.newBuilder().setShots(2).build(), 1);
    assertArrayEquals(new int[] {2, 2}, k2.val().classCounts(2));
  }

  @Test
  void baseIsTheFirstCeilHalfAndNewTheRestBothRelabelledFromZero() {
    Dataset d = new Dataset("t", List.of("a", "b", "c", "d", "e"),
        split("train", 1, 2, 3, 4, 5), split("val"), split("test", 1, 1, 1, 1, 1), List.of());
    Dataset base = ClassSplit.apply(d, ClassSubset.BASE);
    Dataset fresh = ClassSplit.apply(d, ClassSubset.NEW);
    assertEquals(List.of("a", "b", "c"), base.classNames());
    assertEquals(List.of("d", "e"), fresh.classNames());
    assertArrayEquals(new int[] {1, 2, 3}, base.train().classCounts(3));
    assertArrayEquals(new int[] {4, 5}, fresh.train().classCounts(2));
    assertEquals("3/0", fresh.train().examples().get(0).origin());
    assertEquals(0, fresh.train().examples().get(0).label());
  }

  @Test
  void holdOutTakesTheFractionOfEachClass() {
    Split[] parts = DataSources.holdOut(split("train", 10, 20), 2, 0.25f, 1);
    assertArrayEquals(new int[] {8, 15}, parts[0].classCounts(2));
    assertArrayEquals(new int[] {2, 5}, parts[1].classCounts(2));
  }
}
