package tfpeft.data.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Runs per-item work on a fixed pool in chunks and returns the results in item order. Items must
 * be independent (each derives its own random stream), which makes the output the same for any
 * thread count. {@link #close()} waits for every worker to stop, so a caller that deletes a
 * half-written directory after a failure never races a worker still writing into it.
 */
final class ParallelImages implements AutoCloseable {
  /** Items per task submitted to the pool: large enough to amortise scheduling. */
  private static final int CHUNK = 64;

  private final ExecutorService pool;

  ParallelImages(int threads) {
    this.pool = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "synthetic-images");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** {@code work.apply(i)} for i in [0, count), in order; progress after each finished chunk. */
  <T> List<T> run(String stage, int count, IntFunction<T> work, ProgressListener listener) {
    List<Future<List<T>>> chunks = new ArrayList<>();
    for (int start = 0; start < count; start += CHUNK) {
      int from = start;
      int to = Math.min(count, start + CHUNK);
      chunks.add(pool.submit(() -> {
        List<T> out = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
          if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("generation cancelled");
          }
          out.add(work.apply(i));
        }
        return out;
      }));
    }
    List<T> results = new ArrayList<>(count);
    try {
      for (Future<List<T>> chunk : chunks) {
        results.addAll(chunk.get());
        listener.progress(stage, results.size(), count);
      }
    } catch (InterruptedException e) {
      cancel(chunks);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while generating " + stage);
    } catch (ExecutionException e) {
      cancel(chunks);
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("generating " + stage + " failed", cause);
    } catch (RuntimeException | Error e) {
      cancel(chunks);
      throw e;
    }
    return results;
  }

  private static void cancel(List<? extends Future<?>> futures) {
    for (Future<?> future : futures) {
      future.cancel(true);
    }
  }

  @Override
  public void close() {
    pool.shutdownNow();
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
