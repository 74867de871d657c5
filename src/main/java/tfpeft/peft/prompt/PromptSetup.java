package tfpeft.peft.prompt;

import java.util.ArrayList;
import java.util.List;
import tfpeft.model.SiteHook;

/**
 * What a prompt method puts into a model, to attach to its net before the backbone is built.
 *
 * @param text the text prompts' hook, or null when the text tower is left alone (VPT)
 * @param visual the visual prompts, or null when the image tower is left alone (CoOp)
 * @param prompt the class prompt the text context belongs to, or null without text prompts
 *     (then class features come from the templates, as zero-shot)
 */
public record PromptSetup(SiteHook text, VisualPrompts visual, ContextPrompt prompt) {
  /** The site hooks, text first. */
  public List<SiteHook> hooks() {
    List<SiteHook> out = new ArrayList<>();
    if (text != null) {
      out.add(text);
    }
    if (visual != null) {
      out.add(visual);
    }
    return out;
  }
}
