package tfpeft.peft.prompt;

import java.util.Arrays;
import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.model.text.ClipTokenizer;

/**
 * The token ids of learned-context class prompts, as CoOp builds them:
 * [start] + n context slots + tokens of "name." + [end], zero-padded. The slots hold the
 * initialization phrase's ids (then "x"), but their embeddings are replaced by the learned
 * context, so what they hold only keeps the end token where CLIP's pooling looks for it (the
 * highest id).
 */
public final class ClassPrompts {
  private final ClipTokenizer tokenizer;
  private final int contextLength;
  private final int[] slots;

  /**
   * @param phraseIds ids of the initialization phrase (may be empty), at most {@code length}
   */
  public ClassPrompts(ClipTokenizer tokenizer, int contextLength, int length, int[] phraseIds) {
    if (phraseIds.length > length) {
      throw new IllegalArgumentException("phrase of " + phraseIds.length + " tokens for "
          + length + " slots");
    }
    this.tokenizer = tokenizer;
    this.contextLength = contextLength;
    this.slots = Arrays.copyOf(phraseIds, length);
    int filler = tokenizer.encode("X")[0];
    Arrays.fill(slots, phraseIds.length, length, filler);
  }

  /** The context slots per prompt (n). */
  public int length() {
    return slots.length;
  }

  /** One row of ids per class, in order; "_" in a name reads as a space (CoOp's convention). */
  public int[][] ids(List<String> classNames) {
    int[][] out = new int[classNames.size()][];
    for (int c = 0; c < out.length; c++) {
      String name = classNames.get(c).replace('_', ' ');
      int[] nameIds = tokenizer.encode(name + ".");
      int used = 1 + slots.length + nameIds.length + 1;
      if (used > contextLength) {
        throw TfpeftException.usage("the prompt of class \"" + name + "\" is " + used
            + " tokens with its " + slots.length + " context tokens, longer than the text "
            + "context of " + contextLength + "; use fewer context tokens");
      }
      int[] row = new int[contextLength];
      row[0] = tokenizer.sotId();
      System.arraycopy(slots, 0, row, 1, slots.length);
      System.arraycopy(nameIds, 0, row, 1 + slots.length, nameIds.length);
      row[used - 1] = tokenizer.eotId();
      out[c] = row;
    }
    return out;
  }

  /** The rows of {@link #ids} back to back, for feeding as [C, ctx]. */
  public static int[] flatten(int[][] rows) {
    int width = rows.length == 0 ? 0 : rows[0].length;
    int[] out = new int[rows.length * width];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * width, width);
    }
    return out;
  }
}
