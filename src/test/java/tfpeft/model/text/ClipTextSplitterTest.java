package tfpeft.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClipTextSplitterTest {
  @Test
  void cleaningCollapsesWhitespaceStripsAndLowerCases() {
    assertEquals("a big dog", ClipTextSplitter.clean("  A\t\tBIG \n\u00a0 Dog \u3000"));
  }

  @Test
  void htmlIsUnescapedTwice() {
    assertEquals("a & b <i>", ClipTextSplitter.clean("a &amp;amp; b &lt;i&gt;"));
    assertEquals("caf\u00e9 \u00a9 \u2026", ClipTextSplitter.clean("caf&eacute; &copy &hellip;"));
    assertEquals("&notanentity;", ClipTextSplitter.clean("&NotAnEntity;"));
  }

  @Test
  void numericReferencesFollowHtml5() {
    assertEquals("\u20ac a \ufffd", ClipTextSplitter.clean("&#128; &#x41 &#x110000;"));
  }

  @Test
  void ftfyFixesQuotesLigaturesWidthAndComposition() {
    assertEquals("it's \"fine\" abc caf\u00e9",
        ClipTextSplitter.clean("It\u2019s \u201c\ufb01ne\u201d \uff21\uff22\uff23 cafe\u0301"));
  }

  @Test
  void controlCharactersAndTerminalEscapesAreRemoved() {
    assertEquals("red bell", ClipTextSplitter.clean("\u001b[31mred\u001b[0m be\u0007ll\ufeff"));
  }

  @Test
  void numbersSplitIntoSingleDigits() {
    assertEquals(List.of("1", "2", "3", "4", "x", "2", "."),
        ClipTextSplitter.split("1234x2."));
  }

  @Test
  void contractionsAreSeparatePieces() {
    assertEquals(List.of("it", "'s", "they", "'re", "i", "'ll", "don", "'t"),
        ClipTextSplitter.split(ClipTextSplitter.clean("it's they're I'LL don't")));
  }

  @Test
  void punctuationRunsStayTogether() {
    assertEquals(List.of("what", "?!...", "(", "yes", ")"),
        ClipTextSplitter.split("what?!... (yes)"));
  }

  @Test
  void combiningMarksThatDoNotComposeJoinThePunctuationClass() {
    assertEquals(List.of("q", "\u0301"), ClipTextSplitter.split(ClipTextSplitter.clean("q\u0301")));
  }

  @Test
  void ypogegrammeniMatchesNoAlternativeAndIsDropped() {
    assertEquals(List.of("x", "y"), ClipTextSplitter.split("x\u0345y"));
  }

  @Test
  void specialTokenNamesArePiecesOfTheirOwn() {
    assertEquals(List.of("<|startoftext|>", "hi", "<|endoftext|>"),
        ClipTextSplitter.split("<|startoftext|>hi<|endoftext|>"));
  }

  @Test
  void emptyAndBlankTextsHaveNoPieces() {
    assertEquals(List.of(), ClipTextSplitter.split(ClipTextSplitter.clean("")));
    assertEquals(List.of(), ClipTextSplitter.split(ClipTextSplitter.clean(" \t\n ")));
  }

  @Test
  void lowerCasingFollowsPythonForFinalSigmaAndDottedCapitalI() {
    assertEquals("\u03bf\u03b4\u03bf\u03c2 \u03c3\u03b1",
        ClipTextSplitter.clean("\u039f\u0394\u039f\u03a3 \u03a3\u0391"));
    assertEquals("i\u0307stanbul", ClipTextSplitter.clean("\u0130stanbul"));
  }

  @Test
  void finalSigmaNeedsACasedLetterRightBeforeItPastCaseIgnorables() {
    // A digit between letter and Σ blocks it (Java's word-based rule would not); a modifier
    // letter is case-ignorable and skipped; ª is cased.
    assertEquals("\u00e98\u03c3", ClipTextSplitter.lowerCase("\u00c98\u03a3"));
    assertEquals("\u1d2c\u03c3", ClipTextSplitter.lowerCase("\u1d2c\u03a3"));
    assertEquals("\u00aa\u03c2", ClipTextSplitter.lowerCase("\u00aa\u03a3"));
    assertEquals("a\u03c2'.", ClipTextSplitter.lowerCase("A\u03a3'."));
    assertEquals("a\u03c3'b", ClipTextSplitter.lowerCase("A\u03a3'B"));
  }

  @Test
  void stripAlsoRemovesWhatPythonCountsAsSpace() {
    assertEquals("a\u001cb", ClipTextSplitter.stripPythonSpace("\u001c\u001f a\u001cb\u3000"));
  }

  @Test
  void ftfyLeavesEntitiesAloneAfterALineWithMarkupButClipStillUnescapesTwice() {
    // ftfy would unescape "&amp;amp;lt;" fully; with a '<' on the line only CLIP's two passes run.
    assertEquals("<b> &lt;", ClipTextSplitter.clean("<b> &amp;amp;lt;"));
    assertEquals("<", ClipTextSplitter.clean("&amp;amp;lt;"));
  }
}
