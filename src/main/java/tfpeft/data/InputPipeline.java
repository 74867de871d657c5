package tfpeft.data;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import tfpeft.TfpeftException;
import tfpeft.util.Seeds;

/**
 * Decodes and preprocesses a split into fixed-size float batches on a pool of threads, keeping at
 * most {@code prefetch} batches in flight ahead of the consumer.
 *
 * <p>Determinism: the epoch's order comes from (seed, epoch) and each example's augmentation from
 * (seed, epoch, example index), never from which thread handles it, so for a given seed the
 * batches are identical whatever the number of threads.
 */
public final class InputPipeline implements AutoCloseable {
  /** How batches are formed. */
  public record Options(
      int batchSize, boolean dropLast, boolean shuffle, int threads, int prefetch, long seed) {
    public Options {
      if (batchSize < 1 || prefetch < 1 || threads < 0) {
        throw new IllegalArgumentException("batchSize and prefetch must be >= 1, threads >= 0");
      }
    }
  }

  private final List<Example> examples;
  private final Preprocess preprocess;
  private final Options options;
  private final BadExamples bad;
  private final ExecutorService pool;

  public InputPipeline(Split split, Preprocess preprocess, Options options, BadExamples bad) {
    this.examples = split.examples();
    this.preprocess = preprocess;
    this.options = options;
    this.bad = bad;
    int threads = options.threads() == 0
        ? Runtime.getRuntime().availableProcessors() : options.threads();
    this.pool = Executors.newFixedThreadPool(threads, daemonThreads());
  }

  /** Batches in one epoch. */
  public int batchesPerEpoch() {
    int n = examples.size();
    int b = options.batchSize();
    return options.dropLast() ? n / b : (n + b - 1) / b;
  }

  /** The example order of an epoch: a seeded shuffle, or the split's order. */
  public int[] order(int epoch) {
    int[] order = new int[examples.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    if (options.shuffle()) {
      SplittableRandom rng = new SplittableRandom(Seeds.derive(options.seed(), "shuffle", epoch));
      for (int i = order.length - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  /** The batches of {@code epoch}, produced ahead in the background. */
  public Iterator<Batch> epoch(int epoch) {
    return epoch(epoch, 0);
  }

  /** Batches of a coming epoch already in production ({@link #prepare}), or null. */
  private Ahead ahead;

  private record Ahead(int epoch, ArrayDeque<CompletableFuture<Batch>> batches) {}

  /**
   * Starts producing the first {@code prefetch} batches of {@code epoch} in the background, for
   * {@link #epoch(int)} to take: the trainer asks for the next epoch's as the current one's last
   * step ends, so they are decoded while it evaluates and checkpoints, and the epoch's first
   * step does not wait for them. The batches are the ones {@code epoch(epoch)} would make (each
   * keyed by seed, epoch and example), so a run's numbers do not change.
   */
  public void prepare(int epoch) {
    int[] order = order(epoch);
    ArrayDeque<CompletableFuture<Batch>> batches = new ArrayDeque<>();
    for (int b = 0; b < Math.min(options.prefetch(), batchesPerEpoch()); b++) {
      batches.add(submit(epoch, order, b));
    }
    cancelAhead();
    ahead = new Ahead(epoch, batches);
  }

  private void cancelAhead() {
    if (ahead != null) {
      ahead.batches().forEach(f -> f.cancel(false));
      ahead = null;
    }
  }

  /** The batches of {@code epoch} from batch {@code firstBatch} on (for resuming mid-epoch). */
  public Iterator<Batch> epoch(int epoch, int firstBatch) {
    int[] order = order(epoch);
    int total = batchesPerEpoch();
    ArrayDeque<CompletableFuture<Batch>> prepared = new ArrayDeque<>();
    if (ahead != null && ahead.epoch() == epoch && firstBatch == 0) {
      prepared = ahead.batches();
      ahead = null;
    }
    cancelAhead();
    int started = firstBatch + prepared.size();
    ArrayDeque<CompletableFuture<Batch>> taken = prepared;
    return new Iterator<>() {
      private final ArrayDeque<CompletableFuture<Batch>> inFlight = taken;
      private int nextToSubmit = started;

      private void fill() {
        while (inFlight.size() < options.prefetch() && nextToSubmit < total) {
          inFlight.add(submit(epoch, order, nextToSubmit++));
        }
      }

      @Override
      public boolean hasNext() {
        fill();
        return !inFlight.isEmpty();
      }

      @Override
      public Batch next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        CompletableFuture<Batch> head = inFlight.poll();
        try {
          Batch b = head.join();
          fill();
          return b;
        } catch (CompletionException e) {
          inFlight.forEach(f -> f.cancel(false));
          inFlight.clear();
          nextToSubmit = total;
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw e;
        }
      }
    };
  }

  private CompletableFuture<Batch> submit(int epoch, int[] order, int batchIndex) {
    int from = batchIndex * options.batchSize();
    int to = Math.min(from + options.batchSize(), order.length);
    int count = to - from;
    int h = preprocess.height();
    int w = preprocess.width();
    int floats = h * w * 3;
    float[] images = new float[options.batchSize() * floats];
    boolean[] ok = new boolean[count];
    CompletableFuture<?>[] parts = new CompletableFuture<?>[count];
    for (int k = 0; k < count; k++) {
      int slot = k;
      int exampleIndex = order[from + k];
      parts[k] = CompletableFuture.runAsync(() -> {
        Example ex = examples.get(exampleIndex);
        SplittableRandom rng = new SplittableRandom(
            Seeds.derive(options.seed(), "augment", epoch, exampleIndex));
        try {
          preprocess.apply(ex.image().load(), rng, images, slot * floats);
          ok[slot] = true;
        } catch (TfpeftException e) {
          bad.report(e);
        }
      }, pool);
    }
    return CompletableFuture.allOf(parts).thenApply(v -> compact(batchIndex, order, from,
        count, images, ok, h, w));
  }

  /** Closes the gaps that skipped bad examples leave, keeping the order of the rest. */
  private Batch compact(int batchIndex, int[] order, int from, int count, float[] images,
      boolean[] ok, int h, int w) {
    int floats = h * w * 3;
    int kept = 0;
    int[] labels = new int[count];
    int[] indices = new int[count];
    for (int k = 0; k < count; k++) {
      if (!ok[k]) {
        continue;
      }
      if (kept != k) {
        System.arraycopy(images, k * floats, images, kept * floats, floats);
      }
      indices[kept] = order[from + k];
      labels[kept] = examples.get(order[from + k]).label();
      kept++;
    }
    return new Batch(batchIndex, kept, h, w, images,
        java.util.Arrays.copyOf(labels, kept), java.util.Arrays.copyOf(indices, kept));
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "tfpeft-data-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
