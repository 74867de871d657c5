package tfpeft.peft.prompt;

import com.google.gson.JsonObject;
import java.util.Map;
import tfpeft.model.weights.NamedTensor;
import tfpeft.peft.InspectSummary;

/** The prompts as {@code tfpeft inspect} shows them: each prompt tensor's shape. */
final class PromptSummary {
  private PromptSummary() {}

  /** The prompt tensors under {@code prefix}, less those under {@code except} (null: none). */
  static void describe(InspectSummary out, Map<String, long[]> trained, String prefix,
      String except) {
    describe(out, trained, prefix, except, "[depth, tokens, width]");
  }

  /** As above, {@code axes} naming the prompt tensors' axes. */
  static void describe(InspectSummary out, Map<String, long[]> trained, String prefix,
      String except, String axes) {
    JsonObject prompts = new JsonObject();
    for (Map.Entry<String, long[]> e : trained.entrySet()) {
      String n = e.getKey();
      if (n.startsWith(prefix) && (except == null || !n.startsWith(except))) {
        prompts.add(n, InspectSummary.shape(e.getValue()));
        out.line("  prompts " + n + " " + NamedTensor.formatShape(e.getValue())
            + " " + axes);
      }
    }
    if (prompts.size() > 0) {
      out.put("prompts", prompts);
    }
  }
}
