package tfpeft.model.text;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import tfpeft.TfpeftException;

/**
 * CLIP's byte-level BPE tokenizer ("simple tokenizer" of the CLIP paper's code release): text is
 * cleaned and lower-cased, split into pre-tokens by CLIP's regular expression, each pre-token's
 * UTF-8 bytes are written as {@link ByteUnicode} characters with "&lt;/w&gt;" on the last one, and
 * adjacent symbols are merged, always the pair with the lowest merge rank first, until no listed
 * pair is left (Sennrich et al. 2016; the GPT-2 byte-level variant). Each symbol left is one token.
 *
 * <p>Instances are immutable apart from a concurrent cache of pre-token results, so one tokenizer
 * can serve many threads.
 */
public final class ClipTokenizer {
  /** CLIP's text context: 77 positions, start and end tokens included. */
  public static final int CLIP_CONTEXT_LENGTH = 77;
  /** Cache entries kept before the cache is cleared; bounds memory on unbounded input. */
  private static final int CACHE_LIMIT = 100_000;

  private final BpeVocabulary vocabulary;
  private final int sotId;
  private final int eotId;
  private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

  public ClipTokenizer(BpeVocabulary vocabulary) {
    this.vocabulary = vocabulary;
    this.sotId = vocabulary.id(BpeVocabulary.START_OF_TEXT);
    this.eotId = vocabulary.id(BpeVocabulary.END_OF_TEXT);
    if (sotId < 0 || eotId < 0) {
      throw new IllegalArgumentException("vocabulary lacks the start/end-of-text tokens");
    }
  }

  /** See {@link BpeVocabularyFiles#load(Path)} for the accepted layouts. */
  public static ClipTokenizer load(Path path) {
    return new ClipTokenizer(BpeVocabularyFiles.load(path));
  }

  /** Loads an original-format merges file using its first {@code mergeCount} merges. */
  public static ClipTokenizer load(Path path, int mergeCount) {
    return new ClipTokenizer(BpeVocabularyFiles.load(path, mergeCount));
  }

  public int sotId() {
    return sotId;
  }

  public int eotId() {
    return eotId;
  }

  public int vocabSize() {
    return vocabulary.size();
  }

  public BpeVocabulary vocabulary() {
    return vocabulary;
  }

  /** The token ids of {@code text}, without start and end tokens. */
  public int[] encode(String text) {
    List<int[]> parts = new ArrayList<>();
    int total = 0;
    for (String piece : ClipTextSplitter.split(ClipTextSplitter.clean(text))) {
      int[] ids = encodePiece(piece);
      parts.add(ids);
      total += ids.length;
    }
    int[] out = new int[total];
    int at = 0;
    for (int[] ids : parts) {
      System.arraycopy(ids, 0, out, at, ids.length);
      at += ids.length;
    }
    return out;
  }

  /**
   * [sot] + {@link #encode} + [eot], zero-padded to {@code contextLength}. Longer texts are an
   * error unless {@code truncate}, which keeps the first {@code contextLength} tokens and makes
   * the last one eot, as open_clip does.
   */
  public int[] tokenize(String text, int contextLength, boolean truncate) {
    if (contextLength < 2) {
      throw TfpeftException.usage("context length " + contextLength
          + " leaves no room for the start and end tokens; it must be at least 2");
    }
    int[] ids = encode(text);
    int[] out = new int[contextLength];
    int length = ids.length + 2;
    if (length > contextLength) {
      if (!truncate) {
        String start = text.length() > 60 ? text.substring(0, 60) + "..." : text;
        throw TfpeftException.usage("text \"" + start + "\" is " + length + " tokens with start "
            + "and end, longer than the context length " + contextLength + "; shorten it or "
            + "enable truncation");
      }
      out[0] = sotId;
      System.arraycopy(ids, 0, out, 1, contextLength - 1);
      out[contextLength - 1] = eotId;
      return out;
    }
    out[0] = sotId;
    System.arraycopy(ids, 0, out, 1, ids.length);
    out[ids.length + 1] = eotId;
    return out;
  }

  /** {@link #tokenize} for each text, as rows of one batch. */
  public int[][] tokenizeAll(List<String> texts, int contextLength, boolean truncate) {
    int[][] rows = new int[texts.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = tokenize(texts.get(i), contextLength, truncate);
    }
    return rows;
  }

  /**
   * The text of token ids: their bytes decoded as UTF-8 (invalid sequences become U+FFFD) with
   * every "&lt;/w&gt;" turned into a space, as CLIP's decode does, so words come back
   * space-separated with a trailing space. Specials come back as their names.
   */
  public String decode(int[] ids) {
    StringBuilder symbols = new StringBuilder();
    for (int id : ids) {
      String token = vocabulary.token(id);
      if (token == null) {
        throw TfpeftException.usage("token id " + id + " is not in the vocabulary of "
            + vocabulary.size() + " tokens");
      }
      symbols.append(token);
    }
    byte[] bytes = ByteUnicode.decode(symbols);
    return new String(bytes, StandardCharsets.UTF_8).replace(BpeVocabulary.END_OF_WORD, " ");
  }

  private int[] encodePiece(String piece) {
    int[] cached = cache.get(piece);
    if (cached != null) {
      return cached;
    }
    int[] ids = toIds(piece, mergeSymbols(piece));
    if (cache.size() >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.put(piece, ids);
    return ids;
  }

  /** The BPE symbols of one pre-token; the specials stand for themselves, without "&lt;/w&gt;". */
  List<String> mergeSymbols(String piece) {
    if (piece.equals(BpeVocabulary.START_OF_TEXT) || piece.equals(BpeVocabulary.END_OF_TEXT)) {
      return List.of(piece);
    }
    String chars = ByteUnicode.encodeUtf8(piece);
    List<String> word = new ArrayList<>(chars.length());
    for (int i = 0; i < chars.length() - 1; i++) {
      word.add(String.valueOf(chars.charAt(i)));
    }
    word.add(chars.charAt(chars.length() - 1) + BpeVocabulary.END_OF_WORD);
    return merge(word);
  }

  /**
   * The classic BPE loop: find the adjacent pair with the lowest rank, merge every occurrence of
   * it left to right without overlaps, repeat until no adjacent pair is a merge.
   */
  private List<String> merge(List<String> word) {
    while (word.size() > 1) {
      int bestRank = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < word.size(); i++) {
        int rank = vocabulary.rank(word.get(i), word.get(i + 1));
        if (rank >= 0 && rank < bestRank) {
          bestRank = rank;
        }
      }
      if (bestRank == Integer.MAX_VALUE) {
        break;
      }
      String[] pair = vocabulary.merges().get(bestRank);
      List<String> merged = new ArrayList<>(word.size());
      for (int i = 0; i < word.size(); i++) {
        if (i + 1 < word.size() && word.get(i).equals(pair[0]) && word.get(i + 1).equals(pair[1])) {
          merged.add(pair[0] + pair[1]);
          i++;
        } else {
          merged.add(word.get(i));
        }
      }
      word = merged;
    }
    return word;
  }

  private int[] toIds(String piece, List<String> symbols) {
    int[] ids = new int[symbols.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = vocabulary.id(symbols.get(i));
      if (ids[i] < 0) {
        // Loaders check the byte symbols and merge results, so this is a broken vocabulary.
        throw new IllegalStateException("BPE symbol \"" + symbols.get(i) + "\" of \"" + piece
            + "\" has no id");
      }
    }
    return ids;
  }

  @Override
  public String toString() {
    return "ClipTokenizer[" + vocabulary.size() + " tokens, " + vocabulary.merges().size()
        + " merges]";
  }
}
