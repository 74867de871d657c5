package tfpeft.peft.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One bit per weight, most significant bit first, zero padding. */
class MaskBitsTest {
  @Test
  void theFirstWeightIsTheMostSignificantBit() {
    // 1 0 1 1 0 0 0 0 | 1 (padded with seven zeros)
    float[] mask = {0.01f, 0f, 0.02f, 0.006f, 0.005f, -1f, 0.001f, 0.004f, 0.5f};
    assertArrayEquals(new byte[] {(byte) 0xB0, (byte) 0x80}, MaskBits.pack(mask, 0.005f));
    assertArrayEquals(new byte[] {(byte) 0xB0, (byte) 0x80}, MaskBits.pack(new boolean[] {
        true, false, true, true, false, false, false, false, true}));
  }

  @Test
  void unpackInvertsPack() {
    SplittableRandom rng = new SplittableRandom(1);
    for (int n : new int[] {1, 7, 8, 9, 64, 1001}) {
      float[] mask = new float[n];
      float[] binary = new float[n];
      for (int i = 0; i < n; i++) {
        mask[i] = (float) rng.nextDouble(-0.01, 0.02);
        binary[i] = mask[i] > 0.005f ? 1f : 0f;
      }
      byte[] bits = MaskBits.pack(mask, 0.005f);
      assertEquals((n + 7) / 8, bits.length);
      assertArrayEquals(binary, MaskBits.unpack(bits, n), 0f);
    }
  }

  @Test
  void countsTheZeroedWeights() {
    // 1 0 1 1 0 0 0 0 | 1: five of nine zeroed; padding bits are not weights
    assertEquals(5, MaskBits.zeros(new byte[] {(byte) 0xB0, (byte) 0x80}, 9));
  }

  @Test
  void bitsOfAnotherSizeAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> MaskBits.unpack(new byte[2], 17));
    // the last bit of the byte is set but a mask of 6 weights uses only the first six
    assertThrows(IllegalArgumentException.class, () -> MaskBits.unpack(new byte[] {0x01}, 6));
  }
}
