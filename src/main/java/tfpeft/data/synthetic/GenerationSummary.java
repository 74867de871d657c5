package tfpeft.data.synthetic;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@link SyntheticSuite#generate} wrote.
 *
 * @param out the output directory
 * @param seed the seed used
 * @param imageSize image side in pixels
 * @param pretrainImages number of pretraining images
 * @param tasks per-task class and split counts, in suite order
 * @param files number of files written (images and metadata)
 * @param bytes total size of those files
 * @param elapsed wall-clock time of the whole generation
 */
public record GenerationSummary(
    Path out,
    long seed,
    int imageSize,
    int pretrainImages,
    List<TaskCounts> tasks,
    long files,
    long bytes,
    Duration elapsed) {

  public GenerationSummary {
    tasks = List.copyOf(tasks);
  }

  /** Class and split counts of one task. */
  public record TaskCounts(String name, TaskGroup group, int numClasses, int train, int val, int test) {
    public int images() {
      return train + val + test;
    }
  }

  /** Pretraining plus task images. */
  public long images() {
    return pretrainImages + tasks.stream().mapToLong(TaskCounts::images).sum();
  }
}
