package tfpeft.peft.lora;

import com.google.gson.JsonObject;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import java.util.Optional;
import tfpeft.config.proto.ModelConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterAccounting;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.AdapterShape;
import tfpeft.peft.ConfigProblems;
import tfpeft.peft.ExportContext;
import tfpeft.peft.SiteAdapterMethod;

/**
 * LoRA (and 1-bit "Bi-LoRA") as a method: the low-rank paths and the head train; for CLIP the
 * classifier is the frozen text tower's class features. Export folds each path into its Linear.
 */
public final class Lora extends SiteAdapterMethod {
  private final LoraConfig config;

  public Lora(MethodConfig c) {
    this.config = c.getLora();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.LORA;
  }

  @Override
  protected AdapterShape shape() {
    return LoraSite.shape(config);
  }

  @Override
  protected SiteHook hook(AdapterBank bank) {
    return LoraSite.of(config, bank);
  }

  @Override
  protected float scale() {
    return config.getScale();
  }

  @Override
  protected String label() {
    return "LoRA";
  }

  @Override
  protected String widthName() {
    return "rank";
  }

  @Override
  protected String noSitesMessage() {
    return "method.lora.targets: no Linear site of the model matches " + LoraSite.targets(config)
        + " (sites look like block3/attn/q, block3/mlp/fc1; `tfpeft graph` lists them)";
  }

  @Override
  public void exportTransform(ExportContext ctx) {
    if (ctx.config().getExport().getMergeLora()) {
      for (var a : bank().adapters()) {
        LoraMerge.mergeInto(ctx.session(), ctx.net(), a.site(), a, config.getScale(),
            config.getBits());
        LoraMerge.silence(ctx.session(), a);
      }
    }
  }

  /** Merged, the paths live in the Linears' weights and the hooks are not needed. */
  @Override
  public boolean exportFolds(RunConfig config) {
    return config.getExport().getMergeLora();
  }

  @Override
  public String foldingDescription(RunConfig config) {
    return foldingOf(config);
  }

  /** What export does with LoRA paths (also Pear's, when its adapters are LoRA). */
  public static String foldingOf(RunConfig config) {
    return config.getExport().getMergeLora() ? "LoRA merged into the weights"
        : "LoRA kept as separate paths";
  }

  /** Targets and rank are checked against the model when the hooks attach. */
  @Override
  public void checkConfig(RunConfig run, ConfigProblems problems) {}

  @Override
  public Optional<AdapterAccounting> accounting(ModelConfig model, JsonObject state) {
    return Optional.of(AdapterAccounting.ofSites(AdapterAccounting.sites(model, "linear",
        LoraSite.targets(config)), LoraSite.shape(config)));
  }
}
