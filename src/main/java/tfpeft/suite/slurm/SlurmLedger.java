package tfpeft.suite.slurm;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tfpeft.TfpeftException;
import tfpeft.util.AtomicFiles;

/**
 * What the executor keeps in the suite directory (slurm/state.json, rewritten atomically after
 * every change) so that a later process picks up the jobs an earlier one submitted: each
 * submission (its job name, Slurm's array job id, when) and, per suite job, the array task that
 * runs it and whether its outcome was already handed to a caller.
 */
final class SlurmLedger {
  static final String FILE = "state.json";

  /** One sbatch call. {@code arrayJobId} is null until sbatch answered. */
  static final class Submission {
    int number;
    String jobName;
    String arrayJobId;
    String submittedAt;
    List<String> jobs = new ArrayList<>();
  }

  /** The array task that runs one suite job. */
  static final class Task {
    String arrayJobId;
    int task;
    String submittedAt;
    /** Its outcome was returned by execute: asked again, the job is submitted anew (a retry). */
    boolean reported;
  }

  int version = 1;
  List<Submission> submissions = new ArrayList<>();
  Map<String, Task> jobs = new LinkedHashMap<>();

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
      .create();

  static SlurmLedger load(Path file) {
    if (!Files.exists(file)) {
      return new SlurmLedger();
    }
    try {
      SlurmLedger ledger = GSON.fromJson(Files.readString(file), SlurmLedger.class);
      if (ledger == null || ledger.submissions == null || ledger.jobs == null) {
        throw new JsonParseException("missing 'submissions' or 'jobs'");
      }
      return ledger;
    } catch (IOException | JsonParseException e) {
      throw TfpeftException.usage("cannot read the Slurm executor's state " + file + " ("
          + e.getMessage() + "); it records the jobs submitted for this suite: if none of them"
          + " is still queued (squeue), delete it and run the suite again", e);
    }
  }

  void save(Path file) {
    AtomicFiles.writeString(file, GSON.toJson(this) + "\n");
  }

  /** The submission of this array job id, or null. */
  Submission submission(String arrayJobId) {
    return submissions.stream().filter(s -> arrayJobId.equals(s.arrayJobId)).findFirst()
        .orElse(null);
  }
}
