package tfpeft.cli;

import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.inspect.Inventory;
import tfpeft.inspect.InventoryDiff;
import tfpeft.inspect.InventoryReport;
import tfpeft.inspect.MethodSummary;
import tfpeft.peft.mask.MaskArtifact;
import tfpeft.peft.mask.MaskInspection;
import tfpeft.train.MaskRuns;

/** {@code tfpeft inspect}: what a checkpoint, backbone, weight file or SavedModel holds. */
final class InspectCommand implements Command {
  @Override
  public String name() {
    return "inspect";
  }

  @Override
  public String summary() {
    return "show what a checkpoint, run, adapter artifact, SavedModel, backbone or weight file"
        + " holds";
  }

  @Override
  public String usage() {
    return "inspect PATH [--tensors] [--depth N] [--json] | inspect --diff A B\n"
        + "       (PATH: checkpoint, run directory, adapter artifact, SavedModel, backbone,"
        + " .safetensors, .npz)";
  }

  @Override
  public String description() {
    return "PATH is a TensorFlow checkpoint (its prefix, .index file, or a directory holding one),"
        + " a SavedModel directory (signatures with their inputs and outputs, size on disk), a"
        + " tfpeft backbone directory (architecture), or a .safetensors / .npz file. Headers and"
        + " indexes are read, not the model: tensors are summed by prefix (backbone, head,"
        + " peft/<method>, optimizer slots) with values and MB (2^20 bytes). --diff A B compares"
        + " two artifacts tensor by tensor: identical (bit for bit), changed (how many values, the"
        + " largest difference), reshaped, only in one. A checkpoint of a mask-tuning run also"
        + " shows the share of weights its binary masks zero, per layer; a masks.pb file shows"
        + " the same from its bits.\n"
        + "A run directory (its last checkpoint), a run's checkpoint or an adapter artifact also"
        + " gets a method summary: trainable and frozen parameters; LoRA or AdaptFormer rank,"
        + " scale, precision and positions; Pear's plan (per position: importance, rank, kept or"
        + " pruned, shared with); mask sparsity per layer and in total; prompt shapes and the"
        + " injection form; the head; the stored size (adapter weights only, as Pear's Table I"
        + " counts). An artifact shows its format, base (name and SHA-256), tool version and"
        + " size on disk.";
  }

  @Override
  public Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("tensors").desc("list every tensor").build());
    o.addOption(Option.builder().longOpt("depth").hasArg().argName("N")
        .desc("group by the first N name components (default 1; 2 under peft/)").build());
    o.addOption(Option.builder().longOpt("json").desc("print JSON").build());
    o.addOption(Option.builder().longOpt("diff").desc("compare the two PATHs given").build());
    return o;
  }

  @Override
  public int run(CommandLine line, Console console) {
    List<String> args = line.getArgList();
    int depth = OptionValues.integer(line, "depth", 0, 1);
    if (line.hasOption("diff")) {
      if (args.size() != 2) {
        throw TfpeftException.usage("--diff compares two paths, got " + args.size());
      }
      Inventory a = Inventory.of(Path.of(args.get(0)));
      Inventory b = Inventory.of(Path.of(args.get(1)));
      InventoryDiff.text(a, b, InventoryDiff.diff(a, b)).forEach(console::println);
      return 0;
    }
    if (args.size() != 1) {
      throw TfpeftException.usage("inspect takes one PATH (or --diff A B), got " + args.size());
    }
    Path path = Path.of(args.get(0));
    if (path.getFileName() != null && path.getFileName().toString().equals(MaskArtifact.FILE)
        && java.nio.file.Files.isRegularFile(path)) {
      String masks = MaskInspection.describe(MaskRuns.read(path));
      if (line.hasOption("json")) {
        com.google.gson.JsonObject o = new com.google.gson.JsonObject();
        o.addProperty("path", path.toString());
        o.addProperty("kind", "masks");
        o.addProperty("masks", masks);
        console.println(o.toString());
      } else {
        console.println(path + ": masks");
        console.println("  masks: " + masks);
      }
      return 0;
    }
    Inventory inv = Inventory.of(path);
    MethodSummary summary = MethodSummary.of(inv);
    if (summary == null || !summary.json().has("masks")) {
      String masks = MaskInspection.describeCheckpoint(inv.path(),
          inv.tensors().stream().map(Inventory.TensorInfo::name).toList(),
          inv.values() == null ? null : inv.values()::read);
      if (masks != null) {
        inv.facts().put("masks", masks);
      }
    }
    if (line.hasOption("json")) {
      console.println(InventoryReport.json(inv, depth, summary));
    } else {
      InventoryReport.text(inv, depth, line.hasOption("tensors"), summary)
          .forEach(console::println);
    }
    return 0;
  }
}
