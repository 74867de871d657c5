package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ParallelImagesTest {
  @Test
  void resultsComeBackInItemOrder() {
    try (ParallelImages pool = new ParallelImages(2)) {
      List<Integer> out = pool.run("squares", 300, i -> i * i, ProgressListener.NONE);
      assertEquals(IntStream.range(0, 300).map(i -> i * i).boxed().toList(), out);
    }
  }

  @Test
  void progressIsReportedOnTheCallingThreadUpToTheTotal() {
    Thread caller = Thread.currentThread();
    List<Integer> done = new ArrayList<>();
    try (ParallelImages pool = new ParallelImages(2)) {
      pool.run("items", 200, i -> i, (stage, n, total) -> {
        assertEquals(caller, Thread.currentThread());
        assertEquals(200, total);
        done.add(n);
      });
    }
    assertEquals(200, done.get(done.size() - 1));
  }

  @Test
  void aWorkerFailureReachesTheCallerAndLaterItemsAreNotAllRun() {
    AtomicInteger ran = new AtomicInteger();
    UncheckedIOException e;
    try (ParallelImages pool = new ParallelImages(2)) {
      e = assertThrows(UncheckedIOException.class, () -> pool.run("failing", 100_000, i -> {
        ran.incrementAndGet();
        if (i == 10) {
          throw new UncheckedIOException(new IOException("disk full"));
        }
        return i;
      }, ProgressListener.NONE));
    }
    assertEquals("disk full", e.getCause().getMessage());
    assertTrue(ran.get() < 100_000, "ran " + ran.get());
  }
}
