package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RngStreamsTest {
  private static long[] draw(SplittableRandom rng) {
    return new long[] {rng.nextLong(), rng.nextLong(), rng.nextLong()};
  }

  @Test
  void sameSeedStreamAndIndexGiveTheSameSequence() {
    assertEquals(java.util.Arrays.toString(draw(RngStreams.forItem(1, "pretrain", 5))),
        java.util.Arrays.toString(draw(RngStreams.forItem(1, "pretrain", 5))));
  }

  @Test
  void changingSeedStreamOrIndexChangesTheSequence() {
    long first = RngStreams.forItem(1, "pretrain", 5).nextLong();
    assertNotEquals(first, RngStreams.forItem(2, "pretrain", 5).nextLong());
    assertNotEquals(first, RngStreams.forItem(1, "task/count/train", 5).nextLong());
    assertNotEquals(first, RngStreams.forItem(1, "pretrain", 6).nextLong());
  }
}
