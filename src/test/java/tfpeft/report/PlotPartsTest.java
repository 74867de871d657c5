package tfpeft.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pieces the plots are made of: axis ticks, thinned series, bounded log lines. */
class PlotPartsTest {
  @Test
  void ticksAreOneTwoOrFiveTimesAPowerOfTenAndBoundTheData() {
    Axis a = Axis.of(0.013, 0.87, 5);
    assertEquals(0.2, a.step(), 1e-12);
    assertEquals(List.of(0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0), a.ticks());
    // 44 / 8 = 5.5: the next nice step is 10
    Axis b = Axis.of(3, 47, 8);
    assertEquals(10, b.step(), 0);
    assertEquals(0, b.min(), 0);
    assertEquals(50, b.max(), 0);
  }

  @Test
  void tickLabelsCarryTheDecimalsTheStepNeeds() {
    Axis a = Axis.of(1.9071, 1.9074, 5);
    assertEquals(1e-4, a.step(), 1e-12);
    List<String> labels = a.ticks().stream().map(a::label).toList();
    assertEquals(List.of("1.9071", "1.9072", "1.9073", "1.9074"), labels);
    Axis lr = Axis.of(0, 2e-4, 4);
    assertEquals(List.of("0", "5e-5", "1.0e-4", "1.5e-4", "2.0e-4"),
        lr.ticks().stream().map(lr::label).toList());
  }

  @Test
  void aWholeNumberAxisOverOnePointSpansANeighbourEachSide() {
    Axis a = Axis.of(2, 2, 8, 1);
    assertEquals(List.of(1.0, 2.0, 3.0), a.ticks());
  }

  @Test
  void aSeriesOverItsBudgetKeepsEvenlySpacedPoints() {
    Series s = new Series(4);
    for (int i = 0; i < 10; i++) {
      s.add(i, 10 * i);
    }
    assertArrayEquals(new double[] {0, 4, 8}, s.x());
    assertArrayEquals(new double[] {0, 40, 80}, s.y());
    assertEquals(10, s.offered());
  }

  @Test
  void aLineLongerThanTheBoundIsSkippedAndTheNextOnesRead() throws Exception {
    String text = "short\n" + "x".repeat(100_000) + "\nafter\nlast";
    List<String> lines = new ArrayList<>();
    BoundedLines.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 1000,
        lines::add);
    assertEquals(java.util.Arrays.asList("short", null, "after", "last"), lines);
  }
}
