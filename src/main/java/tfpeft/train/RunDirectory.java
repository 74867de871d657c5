package tfpeft.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import tfpeft.TfpeftException;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.weights.TensorBundleReader;
import tfpeft.model.weights.TensorFile;
import tfpeft.train.checkpoint.CheckpointStore;
import tfpeft.train.log.EventFile;
import tfpeft.train.log.MetricsLog;

/**
 * A run's directory, {@code <output_dir>/<name>/}: the resolved config ({@code config.pbtxt}),
 * {@code checkpoints/}, {@code metrics.jsonl}, the TensorBoard event file and the final
 * {@code report.json}. It owns what a command reads from a run: whether a directory is a run,
 * its config as placed now, which checkpoint a command means (of the run's method), that
 * checkpoint's variables checked whole, and the classes its report names.
 */
public final class RunDirectory {
  public static final String CONFIG = "config.pbtxt";
  public static final String REPORT = "report.json";
  public static final String CHECKPOINTS = "checkpoints";

  private final Path root;

  public RunDirectory(Path root) {
    this.root = root;
  }

  /** The run directory of a config: output_dir/name, the name defaulting to the file's stem. */
  public static RunDirectory of(RunConfig c, String source) {
    return new RunDirectory(Path.of(c.getOutputDir()).resolve(runName(c, source)));
  }

  /**
   * The run's name: one plain directory name, so that the run stays inside output_dir; a name
   * with a path separator, "..", or an absolute path is a usage error (it could name, and with
   * --overwrite empty, any directory).
   */
  public static String runName(RunConfig c, String source) {
    if (!c.getName().isEmpty()) {
      String n = c.getName();
      if (n.contains("/") || n.contains("\\") || n.equals(".") || n.equals("..")
          || n.isBlank() || n.indexOf('\0') >= 0) {
        throw TfpeftException.usage("name: '" + n + "' is not a plain directory name; the run"
            + " directory is <output_dir>/<name>, so put the location in output_dir and give"
            + " name without '/', '\\' or '..' (e.g. --set output_dir=/data/runs"
            + " --set name=my-run)");
      }
      return n;
    }
    String f = Path.of(source).getFileName().toString();
    int dot = f.lastIndexOf('.');
    return dot > 0 ? f.substring(0, dot) : f;
  }

  /**
   * The run directory at {@code root}, which must be one tfpeft train wrote (a directory holding
   * {@value #CONFIG}); otherwise a usage error that also offers {@code otherwise}.
   */
  public static RunDirectory existing(Path root, String otherwise) {
    if (!Files.isDirectory(root)) {
      throw TfpeftException.usage(root + ": no such directory; give a run directory"
          + " (output_dir/name, as tfpeft train writes it) or " + otherwise);
    }
    RunDirectory dir = new RunDirectory(root);
    if (!Files.isRegularFile(dir.config())) {
      throw TfpeftException.usage(root + " is not a run directory: it has no " + CONFIG
          + "; give the directory tfpeft train wrote (output_dir/name), or " + otherwise);
    }
    return dir;
  }

  public Path root() {
    return root;
  }

  public Path config() {
    return root.resolve(CONFIG);
  }

  public Path report() {
    return root.resolve(REPORT);
  }

  public Path metrics() {
    return root.resolve(MetricsLog.FILE);
  }

  /** The event file, or null before the run wrote one. */
  public Path events() {
    return Files.isDirectory(root) ? EventFile.find(root) : null;
  }

  public CheckpointStore checkpoints() {
    return new CheckpointStore(root.resolve(CHECKPOINTS));
  }

  /**
   * Creates the directory and proves it writable with a probe file, so that a run fails before
   * it trains rather than at its first checkpoint.
   */
  public void ensureWritable() {
    try {
      Files.createDirectories(root.resolve(CHECKPOINTS));
      Path probe = Files.createTempFile(root, ".write-probe", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw TfpeftException.usage("output directory " + root + " is not writable ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + "); set output_dir to a"
          + " directory you can write", e);
    }
  }

  /**
   * Refuses a directory at the run's place that tfpeft did not make: only an absent or empty
   * directory, or one holding a run's {@code config.pbtxt}, or what a run leaves before it
   * writes that (its lock file and an empty {@code checkpoints/}), may become or stay a run
   * directory. Otherwise a typo in name or output_dir would write logs into, or with
   * --overwrite empty, a directory of the user's.
   */
  public void checkIsRun() {
    if (!Files.exists(root)) {
      return;
    }
    if (!Files.isDirectory(root)) {
      throw TfpeftException.usage(root + " exists and is not a directory; set name or"
          + " output_dir to where the run directory should go");
    }
    if (Files.isRegularFile(config())) {
      try {
        readConfig();
        return;
      } catch (TfpeftException e) {
        throw TfpeftException.usage(root + " holds a " + CONFIG + " that is not a run config"
            + " (" + e.getMessage() + "); it is not a tfpeft run directory, so tfpeft will not"
            + " write into it or clear it. Set name or output_dir to another directory", e);
      }
    }
    try (var s = Files.list(root)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        boolean ours = tfpeft.util.DirectoryLock.isLockFile(p)
            || n.startsWith(".write-probe") && n.endsWith(".tmp")
            || n.equals(CHECKPOINTS) && Files.isDirectory(p) && isEmpty(p);
        if (!ours) {
          throw TfpeftException.usage(root + " exists and is not a tfpeft run directory (it"
              + " holds " + n + " but no " + CONFIG + "); tfpeft will not write into it or"
              + " clear it. Set name or output_dir to a new directory");
        }
      }
    } catch (java.io.IOException e) {
      throw TfpeftException.usage("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  private static boolean isEmpty(Path dir) throws java.io.IOException {
    try (var s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  /**
   * Takes the run's one-writer lock ({@link tfpeft.util.DirectoryLock}) for {@code command},
   * creating the directory (checked with {@link #checkIsRun} first) when it is missing; held
   * until closed.
   */
  public tfpeft.util.DirectoryLock lock(String command) {
    checkIsRun();
    ensureWritable();
    return tfpeft.util.DirectoryLock.acquire(root, command);
  }

  /**
   * The one-writer lock of an existing run directory for a command that reads the run and
   * writes beside it (eval's results, export's SavedModel): null when the directory is not
   * there or cannot be written, where no tfpeft command can change it either.
   */
  public tfpeft.util.DirectoryLock lockExisting(String command) {
    if (!Files.isDirectory(root) || !Files.isWritable(root)) {
      return null;
    }
    return tfpeft.util.DirectoryLock.acquire(root, command);
  }

  /** The resolved config as written into the run directory and every checkpoint. */
  public static String configText(RunConfig c, String source) {
    return "# The resolved config of this run (from " + source + "; every field, defaults filled"
        + " in).\n" + TextFormat.printer().printToString(c);
  }

  /** The config the run was started with, or null. */
  public RunConfig readConfig() {
    if (!Files.isRegularFile(config())) {
      return null;
    }
    try {
      RunConfig.Builder b = RunConfig.newBuilder();
      TextFormat.merge(Files.readString(config(), StandardCharsets.UTF_8), b);
      return b.build();
    } catch (IOException e) {
      throw TfpeftException.usage(config() + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Removes everything the run wrote (a fresh start with --overwrite), once {@link #checkIsRun}
   * has said it is a run directory; the lock file stays (see {@link tfpeft.util.DirectoryLock}).
   */
  public void clear() {
    if (!Files.exists(root)) {
      return;
    }
    checkIsRun();
    try (var s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(root) && !tfpeft.util.DirectoryLock.isLockFile(p)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw TfpeftException.failure("cannot clear " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * The run's resolved config (defaults filled in), placed where the run directory is now: its
   * name and output_dir are the directory's, wherever the run was trained.
   */
  public RunConfig placedConfig() {
    return placedConfig(java.util.List.of());
  }

  /** As {@link #placedConfig()}, with {@code --set} overrides (the base's path) applied. */
  public RunConfig placedConfig(java.util.List<String> overrides) {
    RunConfig c = tfpeft.config.ConfigLoader.load(config(), overrides).resolved();
    Path where = root.toAbsolutePath().normalize();
    return c.toBuilder().setName(where.getFileName().toString())
        .setOutputDir(where.getParent().toString()).build();
  }

  /**
   * The class names report.json records for the test split, in label order: the classes of a
   * run whose data is no longer at hand. Null when the report is missing, unreadable, or names
   * none.
   */
  public java.util.List<String> reportedClasses() {
    try {
      if (Files.isRegularFile(report())) {
        JsonObject r = JsonParser.parseString(Files.readString(report())).getAsJsonObject();
        if (r.has("test") && r.getAsJsonObject("test").has("classes")) {
          java.util.List<String> names = new java.util.ArrayList<>();
          for (JsonElement e : r.getAsJsonObject("test").getAsJsonArray("classes")) {
            names.add(e.getAsString());
          }
          return names.isEmpty() ? null : names;
        }
      }
    } catch (IOException | RuntimeException e) {
      // a report that cannot be read names no classes
    }
    return null;
  }

  /**
   * As {@link #checkpoint}, refusing a checkpoint written by another method than the one
   * {@code config} trains.
   */
  public CheckpointStore.Checkpoint checkpointOf(String which, RunConfig config) {
    CheckpointStore.Checkpoint c = checkpoint(which);
    String want = tfpeft.peft.MethodRegistry.nameOf(config.getMethod().getMethodCase());
    String got = c.methodName();
    if (got != null && !got.equals(want)) {
      throw TfpeftException.usage(c.dir() + ": written by method." + got + ", but the run's"
          + " config trains method." + want + "; give a checkpoint of this run");
    }
    return c;
  }

  /**
   * The model variables of checkpoint {@code c} (optimizer slots stay behind), the bundle
   * checked whole first: every tensor, optimizer slots included, lies inside its data file, so
   * a truncated checkpoint is refused even where the model's own tensors survived (whose values
   * are read and checked against their CRC32C). A damaged checkpoint is a usage error naming the
   * run's other checkpoints, which {@code command} can take instead.
   */
  public TensorFile modelVariables(CheckpointStore.Checkpoint c, String command) {
    try {
      checkLengths(c.variables());
      return TensorBundleReader.read(c.variables(), n -> !n.startsWith("optimizer/"));
    } catch (TfpeftException e) {
      if (e.exitCode() != TfpeftException.USAGE) {
        throw e;
      }
      java.util.List<String> others = checkpoints().list().stream()
          .filter(o -> !o.dir().equals(c.dir())).map(o -> o.dir().getFileName().toString())
          .toList();
      throw TfpeftException.usage(e.getMessage() + "; the checkpoint " + c.dir() + " is"
          + " damaged: " + command + " " + (others.isEmpty() ? "after training the run again"
          : "another with --checkpoint (this run also has " + String.join(", ", others) + ")"),
          e);
    }
  }

  /** Every tensor of the bundle at {@code prefix} lies inside its data file. */
  private static void checkLengths(Path prefix) {
    TensorBundleReader.Index index = TensorBundleReader.readIndex(prefix);
    int shards = index.header().getNumShards();
    for (TensorBundleReader.Entry e : index.entries()) {
      Path shard = TensorBundleReader.shardFile(prefix, e.shard(), shards);
      try {
        long length = Files.size(shard);
        if (e.offset() + e.size() > length) {
          throw TfpeftException.usage(shard + ": " + length + " bytes, but tensor '" + e.name()
              + "' ends at byte " + (e.offset() + e.size()) + "; the checkpoint is truncated");
        }
      } catch (IOException ex) {
        throw TfpeftException.usage(shard + ": missing or unreadable (" + ex.getMessage()
            + "); the checkpoint is incomplete");
      }
    }
  }

  /**
   * The checkpoint {@code which} names: {@code last}, {@code best}, an {@code epoch-NNNN} name
   * in the run's checkpoints, a checkpoint directory, or its {@code variables} prefix or one of
   * its files; a usage error saying what to give when there is none.
   */
  public CheckpointStore.Checkpoint checkpoint(String which) {
    CheckpointStore store = checkpoints();
    if (which.equals("last")) {
      return store.latest().orElseThrow(() -> TfpeftException.usage(root + " has no"
          + " complete checkpoint yet (" + store.dir() + " holds none); train the run first"
          + " (tfpeft train --config " + config() + "), or name one with --checkpoint;"
          + " a method that trains nothing (zero_shot) writes none: export its backbone with"
          + " --weights and --classes"));
    }
    if (which.equals("best")) {
      return store.best().orElseThrow(() -> TfpeftException.usage(root + ": no"
          + " checkpoint carries an evaluation to choose the best by; use --checkpoint last"));
    }
    Path p = Path.of(which);
    if (!Files.exists(p) && !p.isAbsolute() && Files.exists(store.dir().resolve(which))) {
      p = store.dir().resolve(which);
    }
    if (!Files.isDirectory(p) && Files.isRegularFile(
        p.resolveSibling(p.getFileName() + ".index")) || Files.isRegularFile(p)) {
      p = p.toAbsolutePath().getParent();
    }
    if (!Files.exists(p)) {
      throw TfpeftException.usage("--checkpoint " + which + ": no such checkpoint; give last,"
          + " best, or a checkpoint directory (" + store.dir() + "/epoch-NNNN)");
    }
    return CheckpointStore.read(p);
  }
}
