/**
 * Text tokenization for CLIP's text tower: a Java reimplementation of CLIP's byte-level BPE
 * tokenizer ("simple tokenizer") that gives the same ids as CLIP's Python code, and a small BPE
 * trainer for vocabularies in the same layout.
 *
 * <h2>Pipeline</h2>
 *
 * <ol>
 *   <li>{@link tfpeft.model.text.FtfyCharacterFixes}: the character-level fixes of ftfy's
 *       {@code fix_text}, which CLIP applies first (curly quotes, ligatures, full-width forms,
 *       controls, NFC, ...). ftfy's mojibake repair is not reimplemented; for correctly decoded
 *       text it changes nothing, so results only differ on text that was already garbled.
 *   <li>{@link tfpeft.model.text.ClipTextSplitter#clean}: Python's {@code html.unescape} twice,
 *       whitespace collapsed, lower case as Python's {@code str.lower()} (final sigma
 *       included).
 *   <li>{@link tfpeft.model.text.ClipTextSplitter#split}: CLIP's pre-tokenizer regex (specials,
 *       English contractions, letter runs, single digits, runs of everything else).
 *   <li>{@link tfpeft.model.text.ClipTokenizer}: each piece's UTF-8 bytes as
 *       {@link tfpeft.model.text.ByteUnicode} symbols, "&lt;/w&gt;" on the last, merged by rank.
 * </ol>
 *
 * <h2>Vocabularies</h2>
 *
 * {@link tfpeft.model.text.BpeVocabularyFiles} reads Hugging Face's vocab.json + merges.txt and
 * CLIP's bpe_simple_vocab_16e6.txt[.gz]; {@link tfpeft.model.text.BpeTrainer} writes the former
 * (and its merges.txt doubles as the latter, since both start with one header line). Ids follow
 * CLIP's layout: 256 byte symbols, the same 256 ending a word, one token per merge, then
 * &lt;|startoftext|&gt; and &lt;|endoftext|&gt;.
 *
 * <h2>Checking against CLIP</h2>
 *
 * tools/clip_tokenizer_reference.py is an independent Python implementation of the same
 * algorithm; tools/make_tokenizer_fixtures.sh trains the test vocabulary and records the
 * reference's ids for a corpus of hard cases (scripts, emoji, entities, combining marks, control
 * characters), which the tests compare against exactly. The reference itself agrees with
 * open_clip's copy of CLIP's tokenizer on CLIP's released vocabulary, and its character fixes
 * agree with ftfy once ftfy's mojibake repair is switched off. Where Python's {@code regex}
 * module and Java's {@code java.util.regex} differ (the meaning of {@code \s}, one combining
 * mark under IGNORECASE) the patterns are adjusted, and final sigma is lower-cased by CPython's
 * rule; see {@link tfpeft.model.text.ClipTextSplitter}.
 * Known gaps: characters assigned after Unicode 13 (JDK 17's tables) are not letters or digits
 * here, and of HTML5's named references only the common ones are decoded (see
 * {@link tfpeft.model.text.HtmlEntities}).
 */
package tfpeft.model.text;
