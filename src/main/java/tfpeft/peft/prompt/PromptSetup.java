package tfpeft.peft.prompt;

import java.util.List;
import org.tensorflow.Session;
import org.tensorflow.op.Op;

/**
 * What a prompt method added to a graph.
 *
 * @param text the text prompts, or null when the text tower is left alone (VPT)
 * @param visual the visual prompts, or null when the image tower is left alone (CoOp)
 * @param classPrompts the class prompt ids to feed the text tower, or null with no text prompts
 *     (then class features come from the templates, as zero-shot)
 * @param initOps to run once after the pretrained weights are assigned, on a fresh start only
 *     (a resumed run restores the prompts instead)
 */
public record PromptSetup(TextPrompts text, VisualPrompts visual, ClassPrompts classPrompts,
    List<Op> initOps) {

  public PromptSetup {
    initOps = List.copyOf(initOps);
  }

  /** Runs {@link #initOps}. */
  public void initialize(Session s) {
    if (initOps.isEmpty()) {
      return;
    }
    var runner = s.runner();
    for (Op op : initOps) {
      runner.addTarget(op);
    }
    runner.run();
  }
}
