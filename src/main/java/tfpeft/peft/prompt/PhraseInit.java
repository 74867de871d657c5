package tfpeft.peft.prompt;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import tfpeft.model.ClipModel;
import tfpeft.model.ModelVariable;
import tfpeft.model.Net;
import tfpeft.model.text.ClipTokenizer;

/**
 * Context initialized from a phrase (CoOp's "a photo of a"): the first k vectors of layer 0 take
 * the token embeddings of the phrase's k tokens. It reads the pretrained embedding table, so it
 * is an op to run after the weights are loaded, not the variable's initializer.
 */
final class PhraseInit {
  private PhraseInit() {}

  /** The phrase's token ids (none for an empty phrase). */
  static int[] ids(ClipTokenizer tokenizer, String phrase) {
    return phrase.isBlank() ? new int[0] : tokenizer.encode(phrase);
  }

  /** The op that writes the phrase embeddings into stack [L, n, D]; null for no phrase. */
  static Op build(Net net, ClipModel.Spec spec, ModelVariable stack, int[] ids, String name) {
    if (ids.length == 0) {
      return null;
    }
    Ops tf = net.tf();
    long[] shape = stack.shape().asArray();
    int n = (int) shape[1];
    int d = (int) shape[2];
    Operand<TFloat32> phrase = tf.gather(ClipModel.tokenEmbedding(net, spec).value(),
        tf.constant(ids), tf.constant(0));
    Operand<TFloat32> rest = tf.slice(stack.value(), tf.constant(new int[] {0, ids.length, 0}),
        tf.constant(new int[] {1, n - ids.length, d}));
    Operand<TFloat32> first = tf.concat(List.of(tf.expandDims(phrase, tf.constant(0)), rest),
        tf.constant(1));
    Operand<TFloat32> deeper = tf.slice(stack.value(), tf.constant(new int[] {1, 0, 0}),
        tf.constant(new int[] {-1, -1, -1}));
    return net.named(name).assign(stack.variable(), tf.concat(List.of(first, deeper),
        tf.constant(0)));
  }
}
