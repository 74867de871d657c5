package tfpeft.train.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.op.io.ReaderRead;
import org.tensorflow.op.io.TfRecordReader;
import org.tensorflow.proto.Event;
import org.tensorflow.types.TString;
import tfpeft.util.Crc32c;

/** TensorBoard event files: TFRecord framing with masked CRC-32C around Event protos. */
class EventFileTest {
  @TempDir Path dir;

  @Test
  void crc32cAndItsMaskMatchTheKnownValues() {
    // the CRC-32C check value of "123456789", and its mask computed by hand:
    // ((c >>> 15) | (c << 17)) + 0xa282ead8
    byte[] digits = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0xe3069283, Crc32c.of(digits));
    assertEquals(0xc78ab0e5, Crc32c.masked(digits));
    assertEquals(0xe3069283, Crc32c.unmask(0xc78ab0e5));
  }

  @Test
  void aRecordIsLengthCrcDataCrc() {
    // length 3 (uint64 LE), masked CRC of those 8 bytes, "abc", masked CRC of "abc"
    assertArrayEquals(HexFormat.of().parseHex("0300000000000000b099490e6162636e57f121"),
        EventFile.record("abc".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void tensorFlowsRecordReaderReadsTheEvents() throws Exception {
    Path file;
    try (EventFile f = EventFile.create(dir, 1700000000.5)) {
      f.scalar("train/loss", 7, 1.25, 1700000001.0);
      f.scalar("eval/test/top1", 9, 0.5, 1700000002.0);
      file = f.file();
    }
    assertEquals(true, file.getFileName().toString().startsWith("events.out.tfevents.1700000000."));
    // TensorFlow's own TFRecord reader checks both CRCs of every record
    List<Event> events = new ArrayList<>();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      FifoQueue files = tf.io.fifoQueue(List.of(TString.class));
      var enqueue = tf.io.queueEnqueue(files, List.of(tf.constant(file.toString())));
      var close = tf.io.queueClose(files);
      TfRecordReader reader = tf.io.tfRecordReader();
      ReaderRead read = tf.io.readerRead(reader, files);
      try (Session s = new Session(g)) {
        s.runner().addTarget(enqueue).run();
        s.runner().addTarget(close).run();
        for (int i = 0; i < 3; i++) {
          try (var r = s.runner().fetch(read.value()).run()) {
            events.add(Event.parseFrom(((TString) r.get(0)).asBytes().getObject()));
          }
        }
      }
    }
    assertEquals("brain.Event:2", events.get(0).getFileVersion());
    assertEquals(1700000000.5, events.get(0).getWallTime());
    assertEquals(7, events.get(1).getStep());
    assertEquals("train/loss", events.get(1).getSummary().getValue(0).getTag());
    assertEquals(1.25f, events.get(1).getSummary().getValue(0).getSimpleValue());
    assertEquals(0.5f, events.get(2).getSummary().getValue(0).getSimpleValue());
  }

  @Test
  void reopeningCutsTheFileBackAndContinuesIt() throws IOException {
    Path file;
    long length;
    try (EventFile f = EventFile.create(dir, 1)) {
      f.scalar("a", 1, 1, 1);
      length = f.length();
      f.scalar("a", 2, 2, 2);
      file = f.file();
    }
    try (EventFile f = EventFile.open(file, length)) {
      f.scalar("a", 2, 3, 3);
    }
    List<byte[]> records = EventFile.readRecords(file);
    assertEquals(3, records.size());
    assertEquals(3f, Event.parseFrom(records.get(2)).getSummary().getValue(0).getSimpleValue());
  }

  @Test
  void aDamagedRecordIsDetected() throws IOException {
    Path file = dir.resolve("x.tfevents");
    byte[] r = EventFile.record("payload".getBytes(StandardCharsets.US_ASCII));
    r[14] ^= 1;
    Files.write(file, r);
    assertThrows(IOException.class, () -> EventFile.readRecords(file));
  }
}
