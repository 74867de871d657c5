package tfpeft.peft.prompt;

import java.util.Arrays;
import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClassTokenPosition;
import tfpeft.model.text.ClipTokenizer;

/**
 * The class prompts of a learned text context, as CoOp builds them: [start] + n context slots +
 * the tokens of "name." + [end], zero-padded. The slots hold the initialization phrase (then
 * "X"s); their embeddings are replaced by the context, so what they hold only keeps the end
 * token where CLIP's pooling looks for it (the highest id). As a template that is
 * "a photo of a {}." for n = 4 and that phrase, "X X X X {}." without one.
 *
 * <p>With the class name in the MIDDLE or at the FRONT (CoOp's CLASS_TOKEN_POSITION) the prompt
 * is "[start] X.. name X.. . [end]" with n / 2 (rounded down) slots before the name, or
 * "[start] name X X X X . [end]": every slot holds the filler, since the context replaces them
 * whatever they hold, and the template is "X X {} X X." or "{} X X X X.".
 */
public final class ContextPrompt {
  /** The word that fills context slots the phrase does not. */
  static final String FILLER = "X";

  private final ClipTokenizer tokenizer;
  private final int contextLength;
  private final String phrase;
  private final int[] slots;
  private final ClassTokenPosition position;

  /**
   * @param phrase the initialization phrase (may be empty), at most {@code length} tokens
   */
  public ContextPrompt(ClipTokenizer tokenizer, int contextLength, int length, String phrase) {
    this(tokenizer, contextLength, length, phrase, ClassTokenPosition.END);
  }

  /** As above, the class name at {@code position} among the slots. */
  public ContextPrompt(ClipTokenizer tokenizer, int contextLength, int length, String phrase,
      ClassTokenPosition position) {
    int[] phraseIds = PhraseInit.ids(tokenizer, phrase);
    if (phraseIds.length > length) {
      throw new IllegalArgumentException("phrase of " + phraseIds.length + " tokens for "
          + length + " slots");
    }
    this.tokenizer = tokenizer;
    this.contextLength = contextLength;
    this.phrase = phrase.strip();
    this.slots = Arrays.copyOf(phraseIds, length);
    Arrays.fill(slots, phraseIds.length, length, tokenizer.encode(FILLER)[0]);
    this.position = position;
  }

  /** Context slots before the class name: n at the end, n / 2 in the middle, none in front. */
  public static int slotsBeforeName(ClassTokenPosition position, int length) {
    return switch (position) {
      case MIDDLE -> length / 2;
      case FRONT -> 0;
      default -> length;
    };
  }

  public ClassTokenPosition position() {
    return position;
  }

  /** The context slots per prompt (n). */
  public int length() {
    return slots.length;
  }

  /** The prompt as a template with "{}" for the class name. */
  public String template() {
    if (position != ClassTokenPosition.END) {
      int before = slotsBeforeName(position, slots.length);
      List<String> words = new java.util.ArrayList<>();
      for (int i = 0; i < slots.length; i++) {
        if (i == before) {
          words.add("{}");
        }
        words.add(FILLER);
      }
      return String.join(" ", words) + ".";
    }
    int fillers = slots.length - PhraseInit.ids(tokenizer, phrase).length;
    StringBuilder t = new StringBuilder(phrase);
    for (int i = 0; i < fillers; i++) {
      t.append(t.length() == 0 ? "" : " ").append(FILLER);
    }
    return t.append(t.length() == 0 ? "" : " ").append("{}.").toString();
  }

  /**
   * Tokens before "{}" in {@code template}: where the class name starts, less the start token.
   * A template fits a context of n when this is at least n.
   */
  public static int slotsOf(ClipTokenizer tokenizer, String template) {
    int at = template.indexOf("{}");
    return tokenizer.encode(at < 0 ? template : template.substring(0, at)).length;
  }

  /** One row of ids per class, in order; "_" in a name reads as a space (CoOp's convention). */
  public int[][] ids(List<String> classNames) {
    int[][] out = new int[classNames.size()][];
    for (int c = 0; c < out.length; c++) {
      String name = classNames.get(c).replace('_', ' ');
      int[] nameIds = position == ClassTokenPosition.END ? tokenizer.encode(name + ".")
          : placed(tokenizer.encode(name));
      // past END, nameIds holds the slots too
      int used = 1 + (position == ClassTokenPosition.END ? slots.length : 0) + nameIds.length
          + 1;
      if (used > contextLength) {
        throw TfpeftException.usage("the prompt of class \"" + name + "\" is " + used
            + " tokens with its " + slots.length + " context tokens, longer than the text "
            + "context of " + contextLength + "; use fewer context tokens");
      }
      int[] row = new int[contextLength];
      row[0] = tokenizer.sotId();
      if (position == ClassTokenPosition.END) {
        System.arraycopy(slots, 0, row, 1, slots.length);
        System.arraycopy(nameIds, 0, row, 1 + slots.length, nameIds.length);
      } else {
        System.arraycopy(nameIds, 0, row, 1, nameIds.length);
      }
      row[used - 1] = tokenizer.eotId();
      out[c] = row;
    }
    return out;
  }

  /** The name's ids with the filler slots around them and the "." after: all but start, end. */
  private int[] placed(int[] name) {
    int before = slotsBeforeName(position, slots.length);
    int filler = tokenizer.encode(FILLER)[0];
    int[] out = new int[slots.length + name.length + 1];
    Arrays.fill(out, filler);
    System.arraycopy(name, 0, out, before, name.length);
    out[out.length - 1] = tokenizer.encode(".")[0];
    return out;
  }

  /** Rows back to back, for feeding as [C, ctx]. */
  public static int[] flatten(int[][] rows) {
    int width = rows.length == 0 ? 0 : rows[0].length;
    int[] out = new int[rows.length * width];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * width, width);
    }
    return out;
  }
}
