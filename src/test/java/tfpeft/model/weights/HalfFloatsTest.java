package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntUnaryOperator;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The 16-bit float conversions against numpy: every binary16 value, and CRC-32 checksums of wide
 * float32 sweeps narrowed by numpy (see tools/make_weight_fixtures.py for how they were made).
 */
class HalfFloatsTest {
  private static JsonObject sweeps() {
    return Fixtures.expected().getAsJsonObject("sweeps");
  }

  @Test
  void everyHalfWidensToNumpysFloat32() {
    ByteBuffer out = ByteBuffer.allocate(4 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (int h = 0; h < 1 << 16; h++) {
      out.putFloat(HalfFloats.halfToFloat((short) h));
    }
    CRC32 crc = new CRC32();
    crc.update(out.flip());
    assertEquals(sweeps().getAsJsonObject("f16_to_f32").get("crc32").getAsLong(), crc.getValue());
  }

  @Test
  void everyHalfSurvivesWideningAndNarrowing() {
    for (int h = 0; h < 1 << 16; h++) {
      short back = HalfFloats.floatToHalf(HalfFloats.halfToFloat((short) h));
      assertEquals(h, back & 0xffff, "binary16 0x" + Integer.toHexString(h));
    }
  }

  @Test
  void narrowingToHalfMatchesNumpyOverASweepOfFloat32() {
    assertSweep(sweeps().getAsJsonObject("f32_to_f16"),
        bits -> HalfFloats.floatToHalf(Float.intBitsToFloat(bits)));
  }

  @Test
  void narrowingToHalfMatchesNumpyOnTiesOverflowAndNans() {
    assertCases("f32_to_f16_cases", bits -> HalfFloats.floatToHalf(Float.intBitsToFloat(bits)));
  }

  @Test
  void narrowingToBfloat16MatchesTheReferenceOverASweepOfFloat32() {
    assertSweep(sweeps().getAsJsonObject("f32_to_bf16"),
        bits -> HalfFloats.floatToBfloat16(Float.intBitsToFloat(bits)));
  }

  @Test
  void narrowingToBfloat16MatchesTheReferenceOnTiesOverflowAndNans() {
    assertCases("f32_to_bf16_cases",
        bits -> HalfFloats.floatToBfloat16(Float.intBitsToFloat(bits)));
  }

  @Test
  void bfloat16WidensToTheUpperHalfOfAFloat32() {
    assertEquals(1.0f, HalfFloats.bfloat16ToFloat((short) 0x3f80));
    assertEquals(0xc0490000, Float.floatToRawIntBits(HalfFloats.bfloat16ToFloat((short) 0xc049)));
  }

  /** Narrows the same float32 sequence as the fixture script and compares checksums. */
  private static void assertSweep(JsonObject sweep, IntUnaryOperator narrow) {
    long start = sweep.get("start").getAsLong();
    long step = sweep.get("step").getAsLong();
    long count = sweep.get("count").getAsLong();
    ByteBuffer out = ByteBuffer.allocate((int) count * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (long k = 0; k < count; k++) {
      int bits = (int) ((start + k * step) & 0xffffffffL);
      if (Float.isNaN(Float.intBitsToFloat(bits))) {
        continue;
      }
      out.putShort((short) narrow.applyAsInt(bits));
    }
    assertEquals(sweep.get("kept").getAsLong(), out.position() / 2);
    CRC32 crc = new CRC32();
    crc.update(out.flip());
    assertEquals(sweep.get("crc32").getAsLong(), crc.getValue());
  }

  private static void assertCases(String key, IntUnaryOperator narrow) {
    for (JsonElement c : sweeps().getAsJsonArray(key)) {
      int in = (int) c.getAsJsonArray().get(0).getAsLong();
      int want = c.getAsJsonArray().get(1).getAsInt();
      assertEquals(Integer.toHexString(want),
          Integer.toHexString(narrow.applyAsInt(in) & 0xffff),
          "float32 0x" + Integer.toHexString(in));
    }
  }
}
