package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PretrainSamplerTest {
  /** Words a caption may use besides the class names: articles, prepositions, generic nouns. */
  private static final Set<String> CONNECTING_WORDS = Set.of(
      "a", "an", "the", "photo", "of", "on", "in", "at", "and", "background", "rotated",
      "object", "objects", "shape", "shapes");

  private static List<PretrainExample> examples(int count) {
    List<PretrainExample> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(PretrainSampler.sample(RngStreams.forItem(9, "pretrain-test", i)));
    }
    return out;
  }

  private static boolean mentions(String caption, String phrase) {
    return Pattern.compile("\\b" + Pattern.quote(phrase) + "\\b").matcher(caption).find();
  }

  @Test
  void captionsAreLowerCaseAsciiWordsSeparatedBySingleSpaces() {
    for (PretrainExample e : examples(500)) {
      assertTrue(e.caption().matches("[a-z]+( [a-z]+)*"), e.caption());
    }
  }

  @Test
  void captionsUseOnlyClassNameWordsShapePluralsAndConnectingWords() {
    Set<String> vocabulary = new HashSet<>(CONNECTING_WORDS);
    for (Attribute attribute : Attribute.values()) {
      for (String name : attribute.classNames()) {
        vocabulary.addAll(List.of(name.split(" ")));
      }
    }
    for (ShapeKind shape : ShapeKind.values()) {
      vocabulary.add(shape.plural());
    }
    for (PretrainExample e : examples(500)) {
      for (String word : e.caption().split(" ")) {
        assertTrue(vocabulary.contains(word), "'" + word + "' in: " + e.caption());
      }
    }
  }

  @Test
  void captionsNameNoClassOtherThanTheLabelledOne() {
    for (PretrainExample e : examples(500)) {
      for (Attribute attribute : Attribute.values()) {
        int label = e.label(attribute);
        if (label == Attribute.NOT_APPLICABLE) {
          continue;
        }
        String labelled = attribute.classNames().get(label);
        // Remove the labelled phrase first so that "top center" does not count as "center".
        String rest = e.caption().replaceAll("\\b" + Pattern.quote(labelled) + "\\b", "|");
        for (String other : attribute.classNames()) {
          if (!other.equals(labelled) && !labelled.contains(other)) {
            assertFalse(mentions(rest, other),
                attribute.key() + " is " + labelled + " but caption says " + other + ": " + e.caption());
          }
        }
      }
    }
  }

  @Test
  void everyCaptionNamesAtLeastOneLabelledClass() {
    for (PretrainExample e : examples(500)) {
      boolean named = false;
      for (Attribute attribute : Attribute.values()) {
        int label = e.label(attribute);
        named |= label != Attribute.NOT_APPLICABLE
            && mentions(e.caption(), attribute.classNames().get(label));
      }
      assertTrue(named, e.caption());
    }
  }

  @Test
  void labelsThatApplyDependOnTheSceneKind() {
    for (PretrainExample e : examples(500)) {
      int objects = e.scene().objects().size();
      assertEquals(objects - 1, e.label(Attribute.COUNT));
      assertTrue(e.label(Attribute.BACKGROUND) >= 0);
      boolean single = objects == 1;
      boolean pair = e.label(Attribute.DISTANCE) != Attribute.NOT_APPLICABLE;
      assertEquals(single, e.label(Attribute.POSITION) != Attribute.NOT_APPLICABLE, e.toString());
      if (single) {
        assertTrue(e.label(Attribute.SHAPE) >= 0 && e.label(Attribute.COLOR) >= 0
            && e.label(Attribute.SIZE) >= 0 && e.label(Attribute.TEXTURE) >= 0, e.toString());
        boolean bar = e.scene().first().shape() == ShapeKind.BAR;
        assertEquals(bar, e.label(Attribute.ORIENTATION) != Attribute.NOT_APPLICABLE, e.toString());
      } else {
        assertEquals(Attribute.NOT_APPLICABLE, e.label(Attribute.ORIENTATION), e.toString());
      }
      if (pair) {
        assertEquals(2, objects);
        assertEquals(Attribute.NOT_APPLICABLE, e.label(Attribute.SHAPE), e.toString());
      }
    }
  }

  @Test
  void labelsAgreeWithTheSceneTheyDescribe() {
    for (PretrainExample e : examples(300)) {
      if (e.scene().objects().size() != 1) {
        continue;
      }
      SceneObject o = e.scene().first();
      assertEquals(o.shape().ordinal(), e.label(Attribute.SHAPE));
      assertEquals(o.color().ordinal(), e.label(Attribute.COLOR));
      assertEquals(o.size().ordinal(), e.label(Attribute.SIZE));
      assertEquals(o.texture().ordinal(), e.label(Attribute.TEXTURE));
      assertEquals(o.cell().ordinal(), e.label(Attribute.POSITION));
      assertEquals(e.scene().background().kind().ordinal(), e.label(Attribute.BACKGROUND));
    }
  }
}
