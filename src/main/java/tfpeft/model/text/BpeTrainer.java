package tfpeft.model.text;

import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tfpeft.TfpeftException;

/**
 * Learns a small byte-level BPE vocabulary in CLIP's layout from a text corpus (Sennrich et al.
 * 2016, "Neural Machine Translation of Rare Words with Subword Units", over GPT-2's byte symbols).
 *
 * <p>Texts are cleaned and split exactly as {@link ClipTokenizer} does, and identical pre-tokens
 * are counted once with their frequency. Every word starts as its byte symbols, the last one with
 * "&lt;/w&gt;". Each round counts adjacent symbol pairs over all words, weighted by word
 * frequency (a run "a a a" holds two "a a" pairs), and merges every occurrence of the most
 * frequent pair; ties go to the pair that sorts first (first symbol, then second, by UTF-16 code
 * units) so that training is deterministic. Training stops after {@code maxMerges} rounds or when
 * no pair occurs twice. A pair whose joined symbol is already a token (it can be reached by two
 * different splits) is passed over, so every merge adds a new token and the vocabulary written
 * as vocab.json and as a plain merges list gets the same ids.
 */
public final class BpeTrainer {
  private BpeTrainer() {}

  /** The merges learnt from {@code texts}, in rank order, each {first, second}. */
  public static List<String[]> learnMerges(List<String> texts, int maxMerges) {
    if (maxMerges < 0) {
      throw TfpeftException.usage("merge count " + maxMerges + " is negative");
    }
    Map<List<String>, Integer> words = countWords(texts);
    Set<String> tokens = new HashSet<>(BpeVocabulary.clipTokenOrder(List.of()));
    List<String[]> merges = new ArrayList<>();
    while (merges.size() < maxMerges) {
      String[] best = mostFrequentNewPair(words, tokens);
      if (best == null) {
        break;
      }
      merges.add(best);
      tokens.add(best[0] + best[1]);
      Map<List<String>, Integer> merged = new HashMap<>();
      words.forEach((word, count) -> merged.merge(applyMerge(word, best), count, Integer::sum));
      words = merged;
    }
    return merges;
  }

  /** {@link #learnMerges} as a vocabulary with CLIP's id layout. */
  public static BpeVocabulary train(List<String> texts, int maxMerges) {
    return BpeVocabulary.fromMerges(learnMerges(texts, maxMerges));
  }

  private static Map<List<String>, Integer> countWords(List<String> texts) {
    Map<String, Integer> counts = new HashMap<>();
    for (String text : texts) {
      for (String piece : ClipTextSplitter.split(ClipTextSplitter.clean(text))) {
        boolean special = piece.equals(BpeVocabulary.START_OF_TEXT)
            || piece.equals(BpeVocabulary.END_OF_TEXT);
        if (!special) {
          counts.merge(piece, 1, Integer::sum);
        }
      }
    }
    Map<List<String>, Integer> words = new HashMap<>();
    counts.forEach((piece, count) -> {
      String chars = ByteUnicode.encodeUtf8(piece);
      List<String> symbols = new ArrayList<>(chars.length());
      for (int i = 0; i < chars.length(); i++) {
        String symbol = String.valueOf(chars.charAt(i));
        symbols.add(i == chars.length() - 1 ? symbol + BpeVocabulary.END_OF_WORD : symbol);
      }
      words.merge(symbols, count, Integer::sum);
    });
    return words;
  }

  /** The most frequent pair (seen at least twice) whose join is not yet a token, or null. */
  private static String[] mostFrequentNewPair(Map<List<String>, Integer> words,
      Set<String> tokens) {
    // Sorted by pair so that the first maximum found is the tie-break winner.
    TreeMap<String, Integer> pairCounts = new TreeMap<>();
    Map<String, String[]> pairs = new HashMap<>();
    words.forEach((word, count) -> {
      for (int i = 0; i + 1 < word.size(); i++) {
        String key = word.get(i) + '\u0000' + word.get(i + 1);
        pairCounts.merge(key, count, Integer::sum);
        pairs.putIfAbsent(key, new String[] {word.get(i), word.get(i + 1)});
      }
    });
    String[] best = null;
    int bestCount = 1;
    for (Map.Entry<String, Integer> entry : pairCounts.entrySet()) {
      String[] pair = pairs.get(entry.getKey());
      if (entry.getValue() > bestCount && !tokens.contains(pair[0] + pair[1])) {
        best = pair;
        bestCount = entry.getValue();
      }
    }
    return best;
  }

  /** Every occurrence of {@code pair}, left to right without overlaps, as the tokenizer does. */
  private static List<String> applyMerge(List<String> word, String[] pair) {
    List<String> out = new ArrayList<>(word.size());
    for (int i = 0; i < word.size(); i++) {
      if (i + 1 < word.size() && word.get(i).equals(pair[0]) && word.get(i + 1).equals(pair[1])) {
        out.add(pair[0] + pair[1]);
        i++;
      } else {
        out.add(word.get(i));
      }
    }
    return out;
  }

  /**
   * Writes {@code vocab.json} (tokens in id order, one per line) and {@code merges.txt}
   * ("#version: 0.2", then one merge per line) into {@code directory}. Each goes to a temporary
   * file first and is then renamed over the target, so a reader never sees half a file.
   */
  public static void write(BpeVocabulary vocabulary, Path directory) {
    StringBuilder vocab = new StringBuilder("{\n");
    for (int id = 0; id < vocabulary.size(); id++) {
      String token = vocabulary.token(id);
      if (token != null) {
        vocab.append(vocab.length() > 2 ? ",\n" : "").append("  ")
            .append(new JsonPrimitive(token)).append(": ").append(id);
      }
    }
    vocab.append("\n}\n");
    StringBuilder merges = new StringBuilder("#version: 0.2\n");
    for (String[] merge : vocabulary.merges()) {
      merges.append(merge[0]).append(' ').append(merge[1]).append('\n');
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw TfpeftException.usage(directory + ": cannot create directory: " + e.getMessage(), e);
    }
    writeAtomically(directory.resolve(BpeVocabularyFiles.MERGES_TXT), merges.toString());
    writeAtomically(directory.resolve(BpeVocabularyFiles.VOCAB_JSON), vocab.toString());
  }

  private static void writeAtomically(Path target, String content) {
    Path temp = null;
    try {
      // Beside the target so the rename stays on one file system; ordinary permissions, unlike
      // Files.createTempFile's owner-only ones, since vocabularies are shared.
      temp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid()
          + "-" + Thread.currentThread().getId() + ".tmp");
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      try {
        if (temp != null) {
          Files.deleteIfExists(temp);
        }
      } catch (IOException ignored) {
        // The write already failed; that is the error worth reporting.
      }
      throw TfpeftException.usage(target + ": cannot write: " + e.getMessage(), e);
    }
  }

  /**
   * Trains on a UTF-8 file, one text per line: {@code CORPUS OUT_DIR MERGES}. Wrong arguments are
   * a {@link TfpeftException}, not an exit: this class is library code, callable from a JVM that
   * must keep running.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw TfpeftException.usage("usage: BpeTrainer CORPUS_TXT OUT_DIR MERGE_COUNT");
    }
    List<String> texts = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
    BpeVocabulary vocabulary = train(texts, Integer.parseInt(args[2]));
    write(vocabulary, Path.of(args[1]));
    System.out.println(vocabulary.merges().size() + " merges, " + vocabulary.size() + " tokens");
  }
}
