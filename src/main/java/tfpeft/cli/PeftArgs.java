package tfpeft.cli;

import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import tfpeft.TfpeftException;
import tfpeft.export.PeftExport;
import tfpeft.peft.MethodRegistry;

/**
 * {@code tfpeft export RUN_DIR --peft DIR}: a LoRA run as a Hugging Face PEFT adapter directory
 * (adapter_config.json + adapter_model.safetensors).
 */
final class PeftArgs {
  private PeftArgs() {}

  static void addOptions(Options o) {
    o.addOption(Option.builder().longOpt("peft").hasArg().argName("DIR")
        .desc("with RUN_DIR: write the LoRA run as a Hugging Face PEFT adapter"
            + " (adapter_config.json, adapter_model.safetensors) to DIR").build());
  }

  static int run(CommandLine line, Console console) {
    if (line.getArgList().size() != 1) {
      throw TfpeftException.usage("export --peft DIR writes a run's LoRA: give one RUN_DIR"
          + (line.getArgList().isEmpty() ? "" : ", got " + line.getArgList()));
    }
    for (String o : new String[] {"adapter", "out", "version", "keep-lora", "weights", "config",
        "classes", "template", "format", "normalization"}) {
      if (line.hasOption(o)) {
        throw TfpeftException.usage("--" + o + " does not apply with --peft, which writes a"
            + " PEFT adapter directory, not a SavedModel or artifact; leave it out");
      }
    }
    Path out = Path.of(line.getOptionValue("peft"));
    PeftExport.Result r = PeftExport.fromRun(Path.of(line.getArgList().get(0)),
        line.getOptionValue("checkpoint", "last"), out, line.hasOption("overwrite"),
        MethodRegistry.builtIn(), console::info, RunExport.baseOverrides(line));
    console.println("wrote " + out + " from " + r.checkpoint().dir() + ": PEFT LoRA for "
        + r.config().modelClass() + " of " + r.config().baseModel() + ", r " + r.config().r()
        + ", lora_alpha " + r.config().json().get("lora_alpha") + " (scale "
        + r.config().scale() + "), " + r.loraSites() + " modules, target_modules "
        + r.config().targetModules() + (r.headClasses() > 0 ? ", classifier of "
            + r.headClasses() + " classes in modules_to_save" : ""));
    return 0;
  }
}
