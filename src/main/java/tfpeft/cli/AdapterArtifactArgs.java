package tfpeft.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.export.AdapterArtifact;
import tfpeft.export.AdapterExport;
import tfpeft.export.PeftAdapterConfig;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterStorage;
import tfpeft.peft.MethodRegistry;

/**
 * {@code tfpeft export RUN_DIR --adapter OUT}: the adapter artifact of a run, kept apart from the
 * SavedModel export so that each reads on its own.
 */
final class AdapterArtifactArgs {
  private AdapterArtifactArgs() {}

  static void addOptions(Options o) {
    o.addOption(Option.builder().longOpt("adapter").hasArg().argName("DIR")
        .desc("with RUN_DIR: write the run's adapter artifact (trained state only) to DIR;"
            + " without: serve artifact DIR on its base (--weights, default the artifact's) as"
            + " a SavedModel at --out; repeated: serve several artifacts made on one base in one"
            + " SavedModel, a signature per artifact and one taking its name")
        .build());
  }

  static int run(CommandLine line, Console console) throws java.io.IOException {
    String[] adapters = line.getOptionValues("adapter");
    if (adapters.length > 1) {
      if (!line.getArgList().isEmpty()) {
        throw TfpeftException.usage("export RUN_DIR --adapter DIR writes one artifact; several"
            + " --adapter without a RUN_DIR serve several artifacts in one SavedModel");
      }
      refuse(line, "export --adapter A --adapter B ... --out DIR serves artifacts, which bring"
          + " their own config, checkpoint and classes", "checkpoint", "config", "set",
          "classes", "template", "format", "normalization");
      refuse(line, "several adapters are served with their LoRA paths unmerged always (the"
          + " backbone they share stays the base's)", "keep-lora");
      return RunExport.runArtifacts(line, console);
    }
    if (line.getArgList().isEmpty()) {
      if (PeftAdapterConfig.isPeftAdapter(Path.of(line.getOptionValue("adapter")))) {
        // a PEFT adapter names no classes: a CLIP one takes them (and templates) here
        refuse(line, "export --adapter PEFT_DIR --out DIR serves a PEFT adapter on its base",
            "checkpoint", "config", "set", "format", "normalization");
        return RunExport.runArtifact(line, console);
      }
      refuse(line, "export --adapter ART --out DIR serves an artifact, which brings its own"
          + " config, checkpoint and classes", "checkpoint", "config", "set", "classes",
          "template", "format", "normalization");
      return RunExport.runArtifact(line, console);
    }
    if (line.getArgList().size() != 1) {
      throw TfpeftException.usage("export --adapter takes one RUN_DIR, got "
          + line.getArgList());
    }
    refuse(line, "export RUN_DIR --adapter DIR writes an artifact, not a SavedModel (serve it"
        + " afterwards with export --adapter DIR --out OUT)", "out", "version", "keep-lora",
        "weights",
        "config", "classes", "template", "format", "normalization");
    Path out = Path.of(line.getOptionValue("adapter"));
    AdapterExport.Result r = AdapterExport.fromRun(Path.of(line.getArgList().get(0)),
        line.getOptionValue("checkpoint", "last"), out, line.hasOption("overwrite"),
        MethodRegistry.builtIn(), console::info, RunExport.baseOverrides(line));
    AdapterArtifact a = r.artifact();
    console.println(String.format(Locale.ROOT, "wrote %s from %s: %s on %s, %d tensors, %,d"
        + " bytes on disk (%s MB)", out, r.checkpoint().dir(), a.methodName(),
        a.base().name(), a.tensors().size(), r.bytesOnDisk(),
        AdapterStorage.significant(AdapterStorage.megabytes(r.bytesOnDisk()), 3)));
    console.println(storageLine(a));
    return 0;
  }

  /** Fails (exit 2) on the first of {@code options} given, which this form would ignore. */
  private static void refuse(CommandLine line, String why, String... options) {
    for (String o : options) {
      if (line.hasOption(o)) {
        throw TfpeftException.usage("--" + o + " does not apply here: " + why + "; leave it"
            + " out");
      }
    }
  }

  /** The stored parts, with the adapter weights set against the storage accounting. */
  static String storageLine(AdapterArtifact a) {
    StringBuilder s = new StringBuilder();
    AdapterAccounting acc = a.accounting();
    long adapters = a.adapterWeightBytes();
    if (acc != null) {
      s.append(String.format(Locale.ROOT, "  adapter weights %,d bytes = %s MB; the storage"
          + " accounting (train --dry-run) counts %,d bytes: %s", adapters,
          AdapterStorage.significant(AdapterStorage.megabytes(adapters), 3), acc.storedBytes(),
          adapters == acc.storedBytes() ? "equal" : "different: the artifact is damaged or"
              + " was written by another version"));
    }
    for (String role : new String[] {"mask", "prompt", "injection", "head"}) {
      long b = a.bytes(role);
      if (b > 0) {
        s.append(s.length() == 0 ? "  " : "; ").append(String.format(Locale.ROOT,
            "%s %,d bytes%s", role.equals("mask") ? "masks (1 bit per weight)"
                : role.equals("head") ? "head (float32)" : role.equals("prompt")
                ? "prompts (float32)" : "injection weights (float32)", b,
            role.equals("head") ? "" : " = " + AdapterStorage.significant(
                AdapterStorage.megabytes(b), 3) + " MB"));
      }
    }
    s.append(String.format(Locale.ROOT, "; tensors %,d bytes in all, plus the manifest, config"
        + " and safetensors header", a.tensorBytes()));
    return s.toString();
  }
}
