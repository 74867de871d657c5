package tfpeft.model.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import tfpeft.TfpeftException;

/**
 * Reads BPE vocabularies in the two layouts CLIP checkpoints ship with.
 *
 * <ul>
 *   <li>Hugging Face: {@code vocab.json} (token string to id) with {@code merges.txt} beside it
 *       (an optional "#version: ..." line, then one "first second" merge per line).
 *   <li>CLIP's original {@code bpe_simple_vocab_16e6.txt[.gz]}: a header line, then merges. Only
 *       the first {@code mergeCount} merges are used (CLIP: 48,894 of the file's 262,144) and the
 *       ids follow from the merges (see {@link BpeVocabulary#fromMerges}). Shorter files give
 *       512 + merges + 2 tokens.
 * </ul>
 *
 * Blank lines are skipped in both. Every problem is a usage error naming the file and line.
 */
public final class BpeVocabularyFiles {
  public static final String VOCAB_JSON = "vocab.json";
  public static final String MERGES_TXT = "merges.txt";
  public static final String CLIP_MERGES_FILE = "bpe_simple_vocab_16e6.txt.gz";
  private static final Pattern GSON_LINE = Pattern.compile("line (\\d+)");

  private BpeVocabularyFiles() {}

  /**
   * A {@code vocab.json}, a directory holding {@code vocab.json} + {@code merges.txt} (or CLIP's
   * merges file), or an original-format merges file; original files use CLIP's merge count.
   */
  public static BpeVocabulary load(Path path) {
    return load(path, BpeVocabulary.CLIP_MERGE_COUNT);
  }

  public static BpeVocabulary load(Path path, int mergeCount) {
    Path file = path;
    if (Files.isDirectory(path)) {
      file = path.resolve(VOCAB_JSON);
      for (String name : new String[] {CLIP_MERGES_FILE, "bpe_simple_vocab_16e6.txt"}) {
        if (!Files.exists(file) && Files.isRegularFile(path.resolve(name))) {
          file = path.resolve(name);
        }
      }
    }
    if (!Files.isRegularFile(file)) {
      throw TfpeftException.usage(file + ": tokenizer vocabulary not found; give a vocab.json "
          + "(with merges.txt beside it), a directory holding them, or CLIP's "
          + CLIP_MERGES_FILE);
    }
    return file.getFileName().toString().endsWith(".json")
        ? readHuggingFace(file) : readOriginal(file, mergeCount);
  }

  /** CLIP's merges file: line 1 is a header, then {@code mergeCount} merges at most. */
  public static BpeVocabulary readOriginal(Path file, int mergeCount) {
    if (mergeCount < 0) {
      throw TfpeftException.usage(file + ": merge count " + mergeCount + " is negative");
    }
    List<String> lines = readLines(file);
    List<String[]> merges = parseMerges(file, lines, 1, mergeCount);
    return BpeVocabulary.fromMerges(merges);
  }

  /** Hugging Face's {@code vocab.json} and the {@code merges.txt} in the same directory. */
  public static BpeVocabulary readHuggingFace(Path vocabJson) {
    Path mergesFile = vocabJson.resolveSibling(MERGES_TXT);
    if (!Files.isRegularFile(mergesFile)) {
      throw TfpeftException.usage(mergesFile + ": merges file not found; a vocab.json needs the "
          + "merges.txt that came with it in the same directory");
    }
    Map<String, Integer> ids = parseVocabJson(vocabJson);
    List<String> lines = readLines(mergesFile);
    int first = !lines.isEmpty() && lines.get(0).startsWith("#version") ? 1 : 0;
    List<String[]> merges = parseMerges(mergesFile, lines, first, Integer.MAX_VALUE);
    for (String symbol : BpeVocabulary.clipTokenOrder(List.of()).subList(0, 512)) {
      if (!ids.containsKey(symbol)) {
        throw TfpeftException.usage(vocabJson + ": byte symbol \"" + symbol + "\" (U+"
            + String.format("%04X", (int) symbol.charAt(0)) + (symbol.length() > 1 ? " + </w>" : "")
            + ") is missing; a byte-level BPE vocabulary needs all 512 byte symbols");
      }
    }
    for (int i = 0; i < merges.size(); i++) {
      String joined = merges.get(i)[0] + merges.get(i)[1];
      if (!ids.containsKey(joined)) {
        throw TfpeftException.usage(mergesFile + ":" + (first + i + 1) + ": merge result \""
            + joined + "\" is not in " + vocabJson.getFileName() + "; the two files do not belong"
            + " together");
      }
    }
    for (String special : new String[] {BpeVocabulary.START_OF_TEXT, BpeVocabulary.END_OF_TEXT}) {
      if (!ids.containsKey(special)) {
        throw TfpeftException.usage(vocabJson + ": special token " + special + " is missing; "
            + "CLIP brackets every text with <|startoftext|> and <|endoftext|>");
      }
    }
    return new BpeVocabulary(ids, merges);
  }

  private static Map<String, Integer> parseVocabJson(Path file) {
    JsonElement root;
    try {
      root = JsonParser.parseString(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    } catch (JsonParseException e) {
      Matcher line = GSON_LINE.matcher(String.valueOf(e.getMessage()));
      String where = line.find() ? file + ":" + line.group(1) : file.toString();
      throw TfpeftException.usage(where + ": not valid JSON (" + rootMessage(e) + "); vocab.json"
          + " must be one object mapping each token to its id", e);
    } catch (IOException e) {
      throw TfpeftException.usage(file + ": cannot read: " + e.getMessage(), e);
    }
    if (!root.isJsonObject()) {
      throw TfpeftException.usage(file + ": expected a JSON object mapping each token to its id");
    }
    Map<String, Integer> ids = new HashMap<>();
    Map<Integer, String> tokensById = new HashMap<>();
    for (Map.Entry<String, JsonElement> entry : ((JsonObject) root).entrySet()) {
      JsonElement value = entry.getValue();
      int id = -1;
      if (value.isJsonPrimitive() && ((JsonPrimitive) value).isNumber()) {
        double number = value.getAsDouble();
        id = number == Math.rint(number) && number >= 0 && number < Integer.MAX_VALUE
            ? (int) number : -1;
      }
      if (id < 0) {
        throw TfpeftException.usage(file + ": token \"" + entry.getKey() + "\" has id " + value
            + "; ids must be non-negative integers");
      }
      String previous = tokensById.put(id, entry.getKey());
      if (previous != null) {
        throw TfpeftException.usage(file + ": tokens \"" + previous + "\" and \"" + entry.getKey()
            + "\" share id " + id + "; every token needs its own id");
      }
      ids.put(entry.getKey(), id);
    }
    return ids;
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) {
      e = e.getCause();
    }
    return e.getMessage();
  }

  /** Merges from {@code lines[first..]}, at most {@code limit}; blank lines skipped. */
  private static List<String[]> parseMerges(Path file, List<String> lines, int first, int limit) {
    List<String[]> merges = new ArrayList<>();
    for (int i = first; i < lines.size() && merges.size() < limit; i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] symbols = line.split("\\s+");
      if (symbols.length != 2) {
        throw TfpeftException.usage(file + ":" + (i + 1) + ": a merge line must be two symbols "
            + "separated by a space, found " + symbols.length + ": \"" + shorten(line) + "\"");
      }
      merges.add(symbols);
    }
    return merges;
  }

  /** The lines of a UTF-8 text file, gunzipped when it starts with the gzip magic. */
  private static List<String> readLines(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
      if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          in.transferTo(out);
          bytes = out.toByteArray();
        }
      }
    } catch (IOException e) {
      throw TfpeftException.usage(file + ": cannot read (" + e.getMessage() + "); a merges file"
          + " is UTF-8 text, optionally gzipped", e);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw TfpeftException.usage(file + ": not UTF-8 text; a merges file is UTF-8, optionally "
          + "gzipped", e);
    }
    return List.of(text.split("\n", -1));
  }

  private static String shorten(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60) + "...";
  }
}
