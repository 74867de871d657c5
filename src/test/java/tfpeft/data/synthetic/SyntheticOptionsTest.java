package tfpeft.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;

class SyntheticOptionsTest {
  @Test
  void defaultsAre64PixelsTwentyThousandPretrainImagesAndVtabSplitsForEveryTask() {
    SyntheticOptions options = SyntheticOptions.defaults();
    assertEquals(64, options.imageSize());
    assertEquals(20000, options.pretrainCount());
    assertEquals(800, options.trainPerTask());
    assertEquals(200, options.valPerTask());
    assertEquals(600, options.testPerTask());
    assertEquals(SyntheticSuite.tasks().size(), options.selectedTasks().size());
    assertFalse(options.overwrite());
    assertTrue(options.threads() >= 1);
  }

  @Test
  void unknownTaskIsAUsageErrorThatListsTheKnownTasks() {
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> SyntheticOptions.builder().tasks(List.of("count", "colour")).build());
    assertEquals(TfpeftException.USAGE, e.exitCode());
    assertTrue(e.getMessage().contains("'colour'") && e.getMessage().contains("color"), e.getMessage());
  }

  @Test
  void outOfRangeNumbersAreUsageErrorsNamingTheOption() {
    TfpeftException size = assertThrows(TfpeftException.class,
        () -> SyntheticOptions.builder().imageSize(8).build());
    assertTrue(size.getMessage().contains("image size"), size.getMessage());
    TfpeftException threads = assertThrows(TfpeftException.class,
        () -> SyntheticOptions.builder().threads(0).build());
    assertEquals(TfpeftException.USAGE, threads.exitCode());
    assertThrows(TfpeftException.class, () -> SyntheticOptions.builder().testPerTask(-1).build());
  }

  @Test
  void selectedTasksFollowSuiteOrderWhateverTheRequestOrder() {
    SyntheticOptions options = SyntheticOptions.builder().tasks(List.of("distance", "shape")).build();
    assertEquals(List.of("shape", "distance"), options.tasks());
  }

  @Test
  void toBuilderKeepsEveryOption() {
    SyntheticOptions options = SyntheticOptions.builder().seed(42).imageSize(32).pretrainCount(10)
        .trainPerTask(8).valPerTask(2).testPerTask(6).tasks(List.of("count")).threads(3)
        .overwrite(true).build();
    assertEquals(options.toString(), options.toBuilder().build().toString());
  }
}
