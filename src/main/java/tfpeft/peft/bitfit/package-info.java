/**
 * BitFit (Ben Zaken, Ravfogel and Goldberg, ACL 2022): every weight of the backbone stays frozen
 * and only its bias terms train, with the task's head. The paper's Eq. 1-5 list the trained
 * terms of a transformer layer: the query, key and value biases, the MLP's biases and both
 * LayerNorm biases; on the image encoder here that is every block's q, k, v, out, fc1 and fc2
 * bias and its ln1 and ln2 beta, plus the patch embedding's bias (ln_pre's beta on CLIP) and the
 * final LayerNorm's beta. The method adds no variable and no hook: what trains is a set of
 * backbone variables, chosen by name ({@link tfpeft.peft.bitfit.BiasSelection}), so an adapter
 * artifact stores those biases (and the head) and export serves the plain backbone with them.
 */
package tfpeft.peft.bitfit;
