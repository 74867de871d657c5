package tfpeft.data.synthetic;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import tfpeft.TfpeftException;

/**
 * What to generate: immutable, built with {@link #builder()}, validated on {@link
 * Builder#build()} with {@link TfpeftException#usage} errors that name the bad option.
 */
public final class SyntheticOptions {
  public static final int DEFAULT_IMAGE_SIZE = 64;
  public static final int MAX_IMAGE_SIZE = 1024;
  public static final int DEFAULT_PRETRAIN_COUNT = 20000;
  /** Pretraining files are numbered with six digits. */
  public static final int MAX_PRETRAIN_COUNT = 999_999;
  public static final int DEFAULT_TRAIN = 800;
  public static final int DEFAULT_VAL = 200;
  public static final int DEFAULT_TEST = 600;
  /** Task files are numbered with five digits per split. */
  public static final int MAX_SPLIT_COUNT = 99_999;

  private final long seed;
  private final int imageSize;
  private final int pretrainCount;
  private final int trainCount;
  private final int valCount;
  private final int testCount;
  private final List<String> tasks;
  private final int threads;
  private final boolean overwrite;

  private SyntheticOptions(Builder b, List<String> tasks) {
    this.seed = b.seed;
    this.imageSize = b.imageSize;
    this.pretrainCount = b.pretrainCount;
    this.trainCount = b.trainCount;
    this.valCount = b.valCount;
    this.testCount = b.testCount;
    this.tasks = tasks;
    this.threads = b.threads;
    this.overwrite = b.overwrite;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** All defaults: seed 0, 64 pixels, 20000 pretraining images, 800/200/600 per task, all tasks. */
  public static SyntheticOptions defaults() {
    return builder().build();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    return new Builder().seed(seed).imageSize(imageSize).pretrainCount(pretrainCount)
        .trainPerTask(trainCount).valPerTask(valCount).testPerTask(testCount).tasks(tasks)
        .threads(threads).overwrite(overwrite);
  }

  public long seed() {
    return seed;
  }

  public int imageSize() {
    return imageSize;
  }

  public int pretrainCount() {
    return pretrainCount;
  }

  public int trainPerTask() {
    return trainCount;
  }

  public int valPerTask() {
    return valCount;
  }

  public int testPerTask() {
    return testCount;
  }

  /** Selected task names, in suite order. */
  public List<String> tasks() {
    return tasks;
  }

  public int threads() {
    return threads;
  }

  public boolean overwrite() {
    return overwrite;
  }

  /** The selected task definitions, in suite order. */
  public List<SyntheticTask> selectedTasks() {
    return TaskCatalog.all().stream().filter(t -> tasks.contains(t.name())).toList();
  }

  @Override
  public String toString() {
    return "SyntheticOptions[seed=" + seed + ", imageSize=" + imageSize + ", pretrain=" + pretrainCount
        + ", train=" + trainCount + ", val=" + valCount + ", test=" + testCount + ", tasks=" + tasks
        + ", threads=" + threads + ", overwrite=" + overwrite + "]";
  }

  /** Mutable builder; every setter returns the builder. */
  public static final class Builder {
    private long seed = 0;
    private int imageSize = DEFAULT_IMAGE_SIZE;
    private int pretrainCount = DEFAULT_PRETRAIN_COUNT;
    private int trainCount = DEFAULT_TRAIN;
    private int valCount = DEFAULT_VAL;
    private int testCount = DEFAULT_TEST;
    private List<String> tasks = null;
    private int threads = Runtime.getRuntime().availableProcessors();
    private boolean overwrite = false;

    private Builder() {}

    public Builder seed(long value) {
      seed = value;
      return this;
    }

    public Builder imageSize(int value) {
      imageSize = value;
      return this;
    }

    /** Number of pretraining images; 0 writes no pretraining directory. */
    public Builder pretrainCount(int value) {
      pretrainCount = value;
      return this;
    }

    public Builder trainPerTask(int value) {
      trainCount = value;
      return this;
    }

    public Builder valPerTask(int value) {
      valCount = value;
      return this;
    }

    public Builder testPerTask(int value) {
      testCount = value;
      return this;
    }

    /** Task names to generate; an empty list writes no tasks. Default: every task. */
    public Builder tasks(List<String> names) {
      tasks = new ArrayList<>(names);
      return this;
    }

    public Builder threads(int value) {
      threads = value;
      return this;
    }

    /** Whether an existing non-empty output directory may be replaced. */
    public Builder overwrite(boolean value) {
      overwrite = value;
      return this;
    }

    public SyntheticOptions build() {
      requireRange("image size", imageSize, SceneRenderer.MIN_SIZE, MAX_IMAGE_SIZE);
      requireRange("pretraining image count", pretrainCount, 0, MAX_PRETRAIN_COUNT);
      requireRange("train images per task", trainCount, 0, MAX_SPLIT_COUNT);
      requireRange("val images per task", valCount, 0, MAX_SPLIT_COUNT);
      requireRange("test images per task", testCount, 0, MAX_SPLIT_COUNT);
      if (threads < 1) {
        throw TfpeftException.usage("thread count must be at least 1, got " + threads);
      }
      List<String> known = TaskCatalog.all().stream().map(SyntheticTask::name).toList();
      List<String> selected = known;
      if (tasks != null) {
        Set<String> requested = new LinkedHashSet<>();
        for (String name : tasks) {
          if (!known.contains(name)) {
            throw TfpeftException.usage(
                "unknown synthetic task '" + name + "'; known tasks: " + String.join(", ", known));
          }
          if (!requested.add(name)) {
            throw TfpeftException.usage("synthetic task '" + name + "' is listed twice");
          }
        }
        selected = known.stream().filter(requested::contains).toList();
      }
      return new SyntheticOptions(this, selected);
    }

    private static void requireRange(String what, int value, int min, int max) {
      if (value < min || value > max) {
        throw TfpeftException.usage(what + " must be between " + min + " and " + max + ", got " + value);
      }
    }
  }
}
