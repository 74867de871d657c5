package tfpeft.peft;

import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;

/**
 * The most images a method's graph call may hold for a number of classes ({@link
 * Method#batchLimit}), with the bound that sets it, in words naming its field: a batch above it
 * is a config error at the batch's field, and saying so names the batch that fits.
 *
 * @param images the largest batch that fits; 0 when not even one image does
 * @param bound what bounds it, naming its field ("method.cocoop.max_prompts = 1024 class
 *     prompts per graph call")
 */
public record BatchLimit(int images, String bound) {
  public BatchLimit {
    if (images < 0) {
      throw new IllegalArgumentException("a batch limit below zero images");
    }
  }

  /**
   * Fails, naming {@code field}, when {@code batch} images of {@code classes} classes exceed
   * what {@code method} can hold in one graph call.
   */
  public static void check(Method method, RunConfig run, String field, int batch, int classes) {
    method.batchLimit(run, classes).ifPresent(limit -> {
      if (limit.images() == 0) {
        throw TfpeftException.usage(field + ": not even one image of " + classes + " classes"
            + " fits what method." + method.name() + " can hold in one graph call ("
            + limit.bound() + "); raise that bound");
      }
      if (batch > limit.images()) {
        throw TfpeftException.usage(field + ": " + batch + " images x " + classes
            + " classes is more than method." + method.name() + " can hold in one graph call ("
            + limit.bound() + "); the largest batch that fits is " + limit.images() + ": set "
            + field + ": " + limit.images() + " or less");
      }
    });
  }

  /**
   * The images per evaluation batch of {@code method} on {@code classes} classes: eval.batch_size
   * when set (checked against the limit), else the training batch size, cut to the limit.
   */
  public static int evaluation(Method method, RunConfig run, int classes) {
    int set = run.getEval().getBatchSize();
    if (set > 0) {
      check(method, run, "eval.batch_size", set, classes);
      return set;
    }
    int batch = run.getTraining().getBatchSize();
    // a limit of no image at all fails here, at the batch the evaluation takes
    check(method, run, "training.batch_size", 1, classes);
    return method.batchLimit(run, classes).map(l -> Math.min(batch, l.images())).orElse(batch);
  }
}
