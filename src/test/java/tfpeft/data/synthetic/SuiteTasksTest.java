package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SuiteTasksTest {
  @Test
  void suiteHasNineUniquelyNamedTasksCoveringAllThreeGroups() {
    List<SyntheticTask> tasks = SyntheticSuite.tasks();
    assertEquals(9, tasks.size());
    assertEquals(9, tasks.stream().map(SyntheticTask::name).distinct().count());
    assertEquals(Set.of(TaskGroup.values()),
        tasks.stream().map(SyntheticTask::group).collect(Collectors.toSet()));
  }

  @Test
  void classNamesAreUniqueLowerCaseAsciiAndTheCaptionVocabulary() {
    Set<List<String>> attributeVocabularies = Arrays.stream(Attribute.values())
        .map(Attribute::classNames).collect(Collectors.toSet());
    for (SyntheticTask task : SyntheticSuite.tasks()) {
      assertEquals(task.numClasses(), new HashSet<>(task.classNames()).size(), task.name());
      for (String name : task.classNames()) {
        assertTrue(name.matches("[a-z]+( [a-z]+)*"), name);
      }
      assertTrue(attributeVocabularies.contains(task.classNames()), task.name());
    }
  }

  @Test
  void templatesHaveOnePlaceholderAndPromptsFillInTheClassName() {
    for (SyntheticTask task : SyntheticSuite.tasks()) {
      assertTrue(task.templates().size() >= 1 && task.templates().size() <= 3, task.name());
      for (String template : task.templates()) {
        assertEquals(1, template.split("\\{}", -1).length - 1, template);
        assertTrue(template.matches("[a-z .{}]+"), template);
      }
      List<String> prompts = task.prompts(task.numClasses() - 1);
      String last = task.classNames().get(task.numClasses() - 1);
      assertTrue(prompts.stream().allMatch(p -> p.contains(last) && !p.contains("{}")), task.name());
    }
  }

  @Test
  void camelNameFollowsCoopSplitFileNaming() {
    assertEquals("Orientation", SyntheticSuite.task("orientation").orElseThrow().camelName());
  }

  @Test
  void samplingALabelOutsideTheClassesFails() {
    SyntheticTask count = SyntheticSuite.task("count").orElseThrow();
    assertThrows(IllegalArgumentException.class, () -> count.sample(6, new SplittableRandom(1)));
    assertThrows(IllegalArgumentException.class, () -> count.sample(-1, new SplittableRandom(1)));
  }
}
