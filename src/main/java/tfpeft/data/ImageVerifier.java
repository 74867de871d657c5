package tfpeft.data;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import tfpeft.TfpeftException;

/**
 * Decodes every image of a split once, before any training step, so a corrupt image fails (or is
 * skipped and counted) up front instead of in the middle of an epoch.
 */
public final class ImageVerifier {
  private ImageVerifier() {}

  /** The split without the examples that failed to decode (which are reported to {@code bad}). */
  public static Split verify(Split split, int threads, BadExamples bad) {
    int n = Math.max(1, threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
    ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
      Thread t = new Thread(r, "tfpeft-verify");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<TfpeftException>> results = new ArrayList<>();
      for (Example e : split.examples()) {
        results.add(pool.submit(() -> {
          try {
            e.image().load();
            return null;
          } catch (TfpeftException err) {
            return err;
          }
        }));
      }
      List<Example> good = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        TfpeftException err = get(results.get(i));
        if (err == null) {
          good.add(split.examples().get(i));
        } else {
          bad.report(err);
        }
      }
      return new Split(split.name(), good);
    } finally {
      pool.shutdownNow();
    }
  }

  private static TfpeftException get(Future<TfpeftException> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw TfpeftException.failure("interrupted while verifying images");
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}
