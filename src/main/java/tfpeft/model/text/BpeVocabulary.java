package tfpeft.model.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE vocabulary: token strings and their ids, and the merge list whose order is
 * the merge priority (rank 0 merges first). Token strings are written in {@link ByteUnicode}
 * characters; a token that ends a word carries the suffix "&lt;/w&gt;".
 *
 * <p>As in CLIP's Python dictionaries, a merge listed twice takes its later rank and a token string
 * listed twice takes its later id.
 */
public final class BpeVocabulary {
  public static final String START_OF_TEXT = "<|startoftext|>";
  public static final String END_OF_TEXT = "<|endoftext|>";
  public static final String END_OF_WORD = "</w>";
  /** CLIP's merge count: 49152 tokens less 256 bytes less 2 specials (its code's own formula). */
  public static final int CLIP_MERGE_COUNT = 49152 - 256 - 2;

  private final String[] tokensById;
  private final Map<String, Integer> idsByToken;
  private final List<String[]> merges;
  /** Key: the two symbols joined by a space (symbols never contain one). */
  private final Map<String, Integer> mergeRanks;

  BpeVocabulary(Map<String, Integer> idsByToken, List<String[]> merges) {
    int size = 0;
    for (int id : idsByToken.values()) {
      size = Math.max(size, id + 1);
    }
    this.tokensById = new String[size];
    idsByToken.forEach((token, id) -> tokensById[id] = token);
    this.idsByToken = Map.copyOf(idsByToken);
    this.merges = Collections.unmodifiableList(new ArrayList<>(merges));
    this.mergeRanks = new HashMap<>();
    for (int rank = 0; rank < merges.size(); rank++) {
      mergeRanks.put(pairKey(merges.get(rank)[0], merges.get(rank)[1]), rank);
    }
  }

  /**
   * CLIP's own construction from a merge list: the 256 byte symbols, the same with "&lt;/w&gt;",
   * each merge's result in merge order, then the two specials.
   */
  public static BpeVocabulary fromMerges(List<String[]> merges) {
    Map<String, Integer> ids = new HashMap<>();
    // A token repeated by the merges keeps its later position, as dict(zip(vocab, range)) does.
    List<String> order = clipTokenOrder(merges);
    for (int i = 0; i < order.size(); i++) {
      ids.put(order.get(i), i);
    }
    return new BpeVocabulary(ids, merges);
  }

  /** Tokens in id order for {@link #fromMerges}. */
  static List<String> clipTokenOrder(List<String[]> merges) {
    String[] bytes = ByteUnicode.symbolsInVocabularyOrder();
    List<String> order = new ArrayList<>(512 + merges.size() + 2);
    for (String symbol : bytes) {
      order.add(symbol);
    }
    for (String symbol : bytes) {
      order.add(symbol + END_OF_WORD);
    }
    for (String[] merge : merges) {
      order.add(merge[0] + merge[1]);
    }
    order.add(START_OF_TEXT);
    order.add(END_OF_TEXT);
    return order;
  }

  static String pairKey(String first, String second) {
    return first + ' ' + second;
  }

  /** The merge rank of the adjacent pair, or -1 when it is not a merge. */
  int rank(String first, String second) {
    Integer rank = mergeRanks.get(pairKey(first, second));
    return rank == null ? -1 : rank;
  }

  /** The id of a token string, or -1. */
  public int id(String token) {
    Integer id = idsByToken.get(token);
    return id == null ? -1 : id;
  }

  /** The token string of an id, or null for an id no token has. */
  public String token(int id) {
    return id >= 0 && id < tokensById.length ? tokensById[id] : null;
  }

  /** One more than the largest id: the rows an embedding table needs. */
  public int size() {
    return tokensById.length;
  }

  /** The merges in rank order, each as {first, second}. */
  public List<String[]> merges() {
    return merges;
  }
}
