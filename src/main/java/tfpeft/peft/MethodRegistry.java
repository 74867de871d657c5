package tfpeft.peft;

import com.google.protobuf.Descriptors;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import tfpeft.TfpeftException;
import tfpeft.config.proto.MethodConfig;
import tfpeft.peft.baseline.FullFinetune;
import tfpeft.peft.baseline.LinearProbe;
import tfpeft.peft.baseline.ZeroShot;

/**
 * Methods by the config oneof member they implement. A method is added by one {@link #register}
 * line in {@link #builtIn}; registering a member twice, or a factory that does not make the
 * member's method (tried on the member's default config), is a bug and fails at registration.
 */
public final class MethodRegistry {
  private final Map<MethodConfig.MethodCase, Function<MethodConfig, Method>> factories =
      new EnumMap<>(MethodConfig.MethodCase.class);

  /** The methods of this build. */
  public static MethodRegistry builtIn() {
    MethodRegistry r = new MethodRegistry();
    r.register(MethodConfig.MethodCase.FULL_FINETUNE, c -> new FullFinetune());
    r.register(MethodConfig.MethodCase.LINEAR_PROBE, LinearProbe::new);
    r.register(MethodConfig.MethodCase.ZERO_SHOT, c -> new ZeroShot());
    r.register(MethodConfig.MethodCase.MASK, tfpeft.peft.mask.MaskTuning::new);
    r.register(MethodConfig.MethodCase.LORA, tfpeft.peft.lora.Lora::new);
    r.register(MethodConfig.MethodCase.ADAPTFORMER, tfpeft.peft.adaptformer.AdaptFormer::new);
    r.register(MethodConfig.MethodCase.PEAR, tfpeft.peft.pear.PearMethod::new);
    r.register(MethodConfig.MethodCase.TIP_ADAPTER, tfpeft.peft.tip.TipAdapter::new);
    r.register(MethodConfig.MethodCase.COOP, tfpeft.peft.prompt.PromptMethods::coop);
    r.register(MethodConfig.MethodCase.VPT, tfpeft.peft.prompt.PromptMethods::vpt);
    r.register(MethodConfig.MethodCase.MUDPT, tfpeft.peft.prompt.PromptMethods::mudpt);
    r.register(MethodConfig.MethodCase.BITFIT, tfpeft.peft.bitfit.BitFit::new);
    r.register(MethodConfig.MethodCase.ADAPTERP, tfpeft.peft.adapterp.AdapterP::new);
    r.register(MethodConfig.MethodCase.SSF, tfpeft.peft.ssf.Ssf::new);
    r.register(MethodConfig.MethodCase.FACT, tfpeft.peft.fact.Fact::new);
    r.register(MethodConfig.MethodCase.COMPACTER, tfpeft.peft.compacter.Compacter::new);
    r.register(MethodConfig.MethodCase.FOURIERFT, tfpeft.peft.fourierft.FourierFt::new);
    r.register(MethodConfig.MethodCase.MORA, tfpeft.peft.mora.Mora::new);
    r.register(MethodConfig.MethodCase.KGCOOP, tfpeft.peft.kgcoop.KgCoop::new);
    r.register(MethodConfig.MethodCase.PROGRAD, tfpeft.peft.prograd.Prograd::new);
    r.register(MethodConfig.MethodCase.COCOOP, tfpeft.peft.cocoop.Cocoop::new);
    r.register(MethodConfig.MethodCase.CLIP_ADAPTER, tfpeft.peft.clipadapter.ClipAdapter::new);
    r.register(MethodConfig.MethodCase.TIP_ADAPTER_F, tfpeft.peft.tip.TipAdapterF::new);
    return r;
  }

  /** Adds a method; a second method for the same member is refused. */
  public MethodRegistry register(MethodConfig.MethodCase kind,
      Function<MethodConfig, Method> factory) {
    if (kind == MethodConfig.MethodCase.METHOD_NOT_SET) {
      throw new IllegalArgumentException("a method needs a oneof member");
    }
    Method probe = factory.apply(defaultConfig(kind));
    if (probe == null || probe.kind() != kind) {
      throw new IllegalStateException("factory for " + nameOf(kind) + " made "
          + (probe == null ? "nothing" : probe.kind()));
    }
    if (factories.putIfAbsent(kind, factory) != null) {
      throw new IllegalStateException("method " + nameOf(kind) + " is registered twice");
    }
    return this;
  }

  /** The config that selects {@code kind} with every one of its fields at its default. */
  public static MethodConfig defaultConfig(MethodConfig.MethodCase kind) {
    Descriptors.FieldDescriptor field = MethodConfig.getDescriptor()
        .findFieldByNumber(kind.getNumber());
    MethodConfig.Builder b = MethodConfig.newBuilder();
    return b.setField(field, b.newBuilderForField(field).build()).build();
  }

  public boolean has(MethodConfig.MethodCase kind) {
    return factories.containsKey(kind);
  }

  public Map<MethodConfig.MethodCase, Function<MethodConfig, Method>> all() {
    return Collections.unmodifiableMap(factories);
  }

  /** A fresh method for the config; a method this build lacks is a failure (exit 1). */
  public Method create(MethodConfig config) {
    MethodConfig.MethodCase kind = config.getMethodCase();
    Function<MethodConfig, Method> f = factories.get(kind);
    if (f == null) {
      throw TfpeftException.failure("method." + nameOf(kind) + " is not part of this build yet;"
          + " methods available: " + String.join(", ", factories.keySet().stream()
              .map(MethodRegistry::nameOf).toList()));
    }
    Method m = f.apply(config);
    if (m.kind() != kind) {
      throw new IllegalStateException("factory for " + nameOf(kind) + " made " + m.kind());
    }
    return m;
  }

  /** The config's spelling of a member: "full_finetune", "lora". */
  public static String nameOf(MethodConfig.MethodCase kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
