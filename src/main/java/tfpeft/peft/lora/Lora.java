package tfpeft.peft.lora;

import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.config.proto.LoraConfig;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.SiteHook;
import tfpeft.peft.AdapterBank;
import tfpeft.peft.ClassifierKind;
import tfpeft.peft.ExportContext;
import tfpeft.peft.Method;
import tfpeft.peft.MethodContext;

/**
 * LoRA (and 1-bit "Bi-LoRA") as a method: the low-rank paths and the head train; for CLIP the
 * classifier is the frozen text tower's class features. Export folds each path into its Linear.
 */
public final class Lora implements Method {
  private final LoraConfig config;
  private AdapterBank bank;

  public Lora(MethodConfig c) {
    this.config = c.getLora();
  }

  @Override
  public MethodConfig.MethodCase kind() {
    return MethodConfig.MethodCase.LORA;
  }

  @Override
  public List<SiteHook> hooks(MethodContext ctx) {
    bank = new AdapterBank(variablePrefix(), LoraSite.shape(config));
    return List.of(LoraSite.of(config, bank));
  }

  @Override
  public ClassifierKind classifier(MethodContext ctx) {
    return ctx.clip() ? ClassifierKind.TEXT_FEATURES : ClassifierKind.HEAD;
  }

  @Override
  public void afterBuild(MethodContext ctx) {
    if (bank.adapters().isEmpty()) {
      throw TfpeftException.usage("method.lora.targets: no Linear site of the model matches "
          + LoraSite.targets(config) + " (sites look like block3/attn/q, block3/mlp/fc1; "
          + "`tfpeft graph` lists them)");
    }
  }

  @Override
  public List<String> trainablePrefixes(MethodContext ctx) {
    return List.of(variablePrefix(), "head/");
  }

  @Override
  public void exportTransform(ExportContext ctx) {
    if (ctx.config().getExport().getMergeLora()) {
      for (var a : bank.adapters()) {
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

  /** The adapters built, in site order (after the graph is built). */
  public AdapterBank bank() {
    return bank;
  }
}
