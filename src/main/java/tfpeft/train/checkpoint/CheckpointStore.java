package tfpeft.train.checkpoint;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tfpeft.TfpeftException;
import tfpeft.model.BaseIdentity;
import tfpeft.util.AtomicFiles;
import tfpeft.util.TestPauses;

/**
 * The checkpoints of a run: one directory per checkpoint, {@code epoch-NNNN/}, holding the
 * variables as a V2 bundle ({@code variables.index}, {@code variables.data-00000-of-00001}),
 * {@code state.json} (position in the run, evaluation, method state) and the resolved config.
 * A run on pretrained weights leaves its frozen backbone out and names its base instead
 * ({@link Checkpoint#adapterSized}, {@code tfpeft.train.CheckpointBase}).
 *
 * <p>A checkpoint is written into a hidden temporary directory, every file synced, then renamed
 * into place: a directory named {@code epoch-NNNN} is always complete, whatever moment the
 * process dies at, and a failed write leaves the existing checkpoints as they were. Old
 * checkpoints are renamed aside before they are deleted, for the same reason.
 */
public final class CheckpointStore {
  public static final String VARIABLES = "variables";
  public static final String STATE = "state.json";
  public static final String CONFIG = "config.pbtxt";
  /** state.json's fields of an adapter-sized checkpoint: the flag and the base's identity. */
  public static final String ADAPTER_SIZED = "adapter_sized";
  public static final String BASE = "base";
  /** Symbolic links to the latest and the best checkpoint. */
  public static final String LAST = "last";
  public static final String BEST = "best";
  private static final Pattern NAME = Pattern.compile("epoch-(\\d{4,})");

  /** Writes the variables of a checkpoint into its bundle. */
  public interface Variables {
    void writeTo(TensorBundle.Writer writer) throws IOException;
  }

  /**
   * A complete checkpoint.
   *
   * @param state its state.json
   */
  public record Checkpoint(Path dir, int epoch, JsonObject state) {
    /**
     * What the method saved ({@code method.state}, a copy): the one reading of it, for resume,
     * evaluation, export and artifacts; an empty object where the checkpoint holds none.
     */
    public JsonObject methodState() {
      if (state.has("method") && state.get("method").isJsonObject()
          && state.getAsJsonObject("method").has("state")
          && state.getAsJsonObject("method").get("state").isJsonObject()) {
        return state.getAsJsonObject("method").getAsJsonObject("state").deepCopy();
      }
      return new JsonObject();
    }

    /** The name of the method that wrote the checkpoint ({@code method.name}), or null. */
    public String methodName() {
      if (state.has("method") && state.get("method").isJsonObject()
          && state.getAsJsonObject("method").has("name")
          && state.getAsJsonObject("method").get("name").isJsonPrimitive()) {
        return state.getAsJsonObject("method").get("name").getAsString();
      }
      return null;
    }

    /**
     * CLIP's class-prompt templates as the run trained with them (the method may have settled
     * its own), as the trainer records them; null where the checkpoint does not record them.
     */
    public java.util.List<String> templates() {
      if (!state.has("templates") || !state.get("templates").isJsonArray()
          || state.getAsJsonArray("templates").isEmpty()) {
        return null;
      }
      java.util.List<String> out = new java.util.ArrayList<>();
      state.getAsJsonArray("templates").forEach(t -> out.add(t.getAsString()));
      return out;
    }

    /**
     * Whether it leaves the frozen backbone out ({@code "adapter_sized": true}), to be read from
     * the run's base ({@link #base}); false for one that holds every variable.
     */
    public boolean adapterSized() {
      return state.has(ADAPTER_SIZED) && state.get(ADAPTER_SIZED).isJsonPrimitive()
          && state.get(ADAPTER_SIZED).getAsBoolean();
    }

    /**
     * The base an adapter-sized checkpoint needs ({@code "base"}), or null where none is
     * recorded.
     */
    public BaseIdentity base() {
      return state.has(BASE) && state.get(BASE).isJsonObject()
          ? BaseIdentity.fromJson(state.getAsJsonObject(BASE)) : null;
    }

    /** The bundle prefix of its variables. */
    public Path variables() {
      return dir.resolve(VARIABLES);
    }

    /** The top-1 accuracy of the evaluation made at this checkpoint, if one was. */
    public Optional<Double> selectionAccuracy() {
      if (state.has("eval") && state.get("eval").isJsonObject()
          && state.getAsJsonObject("eval").has("top1")) {
        return Optional.of(state.getAsJsonObject("eval").get("top1").getAsDouble());
      }
      return Optional.empty();
    }
  }

  private final Path dir;
  private final Path scratch;

  public CheckpointStore(Path dir) {
    this(dir, dir);
  }

  /**
   * @param scratch where checkpoints are assembled before the rename (on the same file system
   *     as {@code dir}); {@code dir} itself unless a test says otherwise
   */
  public CheckpointStore(Path dir, Path scratch) {
    this.dir = dir;
    this.scratch = scratch;
  }

  public Path dir() {
    return dir;
  }

  public static String name(int epoch) {
    return String.format("epoch-%04d", epoch);
  }

  /** Writes the checkpoint of {@code epoch}; it replaces one of the same epoch. */
  public Checkpoint write(int epoch, JsonObject state, String configText, Variables variables) {
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      Files.createDirectories(scratch);
      tmp = scratch.resolve("." + name(epoch) + "."
          + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
      Files.createDirectory(tmp);
      try (TensorBundle.Writer w = new TensorBundle.Writer(tmp.resolve(VARIABLES))) {
        variables.writeTo(w);
        w.finish();
      }
      writeSynced(tmp.resolve(CONFIG), configText);
      writeSynced(tmp.resolve(STATE), new GsonBuilder().setPrettyPrinting()
          .serializeSpecialFloatingPointValues().create().toJson(state) + "\n");
      syncDirectory(tmp);
      TestPauses.pause("checkpoint_pause_ms." + name(epoch));
      Path target = dir.resolve(name(epoch));
      if (Files.exists(target)) {
        discard(target);
      }
      AtomicFiles.move(tmp, target);
      tmp = null;
      syncDirectory(dir);
      return new Checkpoint(target, epoch, state);
    } catch (IOException | RuntimeException e) {
      if (e instanceof TfpeftException te) {
        throw te;
      }
      String last = latest().map(c -> "; the last complete checkpoint, " + c.dir()
          + ", is intact").orElse("");
      throw TfpeftException.failure("cannot write the checkpoint of epoch " + epoch + " into "
          + dir + ": " + describe(e) + last, e);
    } finally {
      if (tmp != null) {
        AtomicFiles.deleteTree(tmp);
      }
    }
  }

  /** The complete checkpoints, oldest first. */
  public List<Checkpoint> list() {
    List<Checkpoint> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (var s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        Optional<Checkpoint> c = open(p, Integer.parseInt(m.group(1)));
        c.ifPresent(out::add);
      }
    } catch (IOException e) {
      throw TfpeftException.failure("cannot list " + dir + ": " + e.getMessage(), e);
    }
    out.sort(Comparator.comparingInt(Checkpoint::epoch));
    return out;
  }

  /** Reads the checkpoint in {@code dir} (a directory as this store writes them). */
  public static Checkpoint read(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    return open(dir, m.matches() ? Integer.parseInt(m.group(1)) : -1).orElseThrow(() ->
        TfpeftException.usage(dir + ": not a tfpeft checkpoint (expected " + STATE + " and "
            + VARIABLES + TensorBundle.INDEX_SUFFIX + ")"));
  }

  private static Optional<Checkpoint> open(Path p, int epoch) {
    Path state = p.resolve(STATE);
    if (!Files.isRegularFile(state)
        || !Files.isRegularFile(TensorBundle.indexFile(p.resolve(VARIABLES)))) {
      return Optional.empty();
    }
    try {
      JsonObject json = JsonParser.parseString(Files.readString(state, StandardCharsets.UTF_8))
          .getAsJsonObject();
      int e = json.has("epoch") ? json.get("epoch").getAsInt() : epoch;
      return Optional.of(new Checkpoint(p, e, json));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The directories named like checkpoints ({@code epoch-NNNN}) that {@link #list} leaves out
   * because they are not complete checkpoints, oldest first, each with what is wrong. The
   * store never leaves one (it renames complete directories into place), so each is damage
   * from outside: a deleted file, an edited or truncated state.json.
   */
  public List<Damaged> damaged() {
    List<Damaged> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (var s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
            || open(p, -1).isPresent()) {
          continue;
        }
        out.add(new Damaged(p, Integer.parseInt(m.group(1)), problem(p)));
      }
    } catch (IOException e) {
      throw TfpeftException.failure("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** A checkpoint directory that is not a complete checkpoint, and why. */
  public record Damaged(Path dir, int epoch, String problem) {}

  private static String problem(Path p) {
    Path state = p.resolve(STATE);
    if (!Files.isRegularFile(state)) {
      return STATE + " is missing";
    }
    if (!Files.isRegularFile(TensorBundle.indexFile(p.resolve(VARIABLES)))) {
      return VARIABLES + TensorBundle.INDEX_SUFFIX + " is missing";
    }
    try {
      JsonParser.parseString(Files.readString(state, StandardCharsets.UTF_8)).getAsJsonObject();
      return STATE + " is malformed";
    } catch (IOException | RuntimeException e) {
      return STATE + " is malformed (" + e.getMessage() + ")";
    }
  }

  public Optional<Checkpoint> latest() {
    List<Checkpoint> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** The checkpoint with the highest evaluation accuracy (the earliest of equals). */
  public Optional<Checkpoint> best() {
    Checkpoint best = null;
    for (Checkpoint c : list()) {
      Optional<Double> a = c.selectionAccuracy();
      if (a.isPresent() && (best == null || a.get() > best.selectionAccuracy().get())) {
        best = c;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Points the links {@code last} and {@code best} at the latest and the best checkpoint, each
   * replaced atomically (a new link renamed over the old). Where the file system has no
   * symbolic links they are left out; the names are conveniences, the epoch directories rule.
   */
  public void updateLinks() {
    link(LAST, latest());
    link(BEST, best());
  }

  private void link(String name, Optional<Checkpoint> target) {
    Path link = dir.resolve(name);
    try {
      if (target.isEmpty()) {
        Files.deleteIfExists(link);
        return;
      }
      Path tmp = dir.resolve("." + name + "."
          + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
      Files.createSymbolicLink(tmp, target.get().dir().getFileName());
      AtomicFiles.move(tmp, link);
    } catch (IOException | UnsupportedOperationException e) {
      // a file system without symbolic links: the links are a convenience for people, every
      // command finds checkpoints through latest() and best(), and cleanUp removes a leftover
      // temporary link
    }
  }

  /** Deletes every checkpoint but the last {@code keep} and the best. */
  public void retain(int keep) {
    List<Checkpoint> all = list();
    Set<Path> kept = new HashSet<>();
    for (int i = Math.max(0, all.size() - keep); i < all.size(); i++) {
      kept.add(all.get(i).dir());
    }
    best().ifPresent(b -> kept.add(b.dir()));
    for (Checkpoint c : all) {
      if (!kept.contains(c.dir())) {
        discard(c.dir());
      }
    }
  }

  /** Removes what an interrupted write or deletion left behind. */
  public void cleanUp() {
    for (Path root : new java.util.LinkedHashSet<>(List.of(dir, scratch))) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (var s = Files.list(root)) {
        for (Path p : s.toList()) {
          String n = p.getFileName().toString();
          if (n.startsWith(".") && (n.endsWith(".tmp") || n.endsWith(".deleting"))) {
            AtomicFiles.deleteTree(p);
          }
        }
      } catch (IOException e) {
        throw TfpeftException.failure("cannot list " + root + ": " + e.getMessage(), e);
      }
    }
  }

  /** Renames a checkpoint out of the way (so it is never seen half deleted), then deletes it. */
  private void discard(Path checkpoint) {
    Path aside = checkpoint.resolveSibling("." + checkpoint.getFileName() + "."
        + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".deleting");
    try {
      AtomicFiles.move(checkpoint, aside);
    } catch (IOException e) {
      throw TfpeftException.failure("cannot remove old checkpoint " + checkpoint + ": "
          + e.getMessage(), e);
    }
    AtomicFiles.deleteTree(aside);
  }

  private static void writeSynced(Path file, String text) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
  }

  private static void syncDirectory(Path d) {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // some file systems cannot sync a directory; the rename is still atomic
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied (" + m + ")";
    }
    if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
      return fse.getReason() + " (" + fse.getFile() + ")";
    }
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
