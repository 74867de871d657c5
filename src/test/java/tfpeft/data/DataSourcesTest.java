package tfpeft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tfpeft.TfpeftException;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.ImageFolderSource;
import tfpeft.config.proto.SamplingConfig;
import tfpeft.config.proto.SyntheticLayout;
import tfpeft.config.proto.SyntheticSource;
import tfpeft.config.proto.VtabSource;
import tfpeft.data.synthetic.SyntheticOptions;
import tfpeft.data.synthetic.SyntheticSuite;

/** Loading whole datasets from configs, including images that only fail when decoded. */
class DataSourcesTest {
  @TempDir Path dir;

  private Path vtabTask() {
    Path task = dir.resolve("vtab/dots");
    for (int i = 0; i < 4; i++) {
      TestImages.png(task.resolve("images/" + i + ".png"), 6, 6, i * 10);
    }
    TestImages.write(task.resolve("images/corrupt.png"), "\u0089PNG\r\n\u001a\n truncated");
    TestImages.write(task.resolve("train800val200.txt"),
        "images/0.png 0\nimages/1.png 1\nimages/corrupt.png 1\nimages/2.png 0\n");
    TestImages.write(task.resolve("test.txt"), "images/3.png 1\n");
    return task;
  }

  private DataConfig vtab(boolean skip) {
    return DataConfig.newBuilder().setVtab(VtabSource.newBuilder()
        .setRoot(dir.resolve("vtab").toString()).setTask("dots"))
        .setSkipBadExamples(skip).setVerifyImages(true).build();
  }

  @Test
  void corruptImageIsFoundBeforeTrainingAndNamesTheListLine() {
    vtabTask();
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> DataSources.load(vtab(false), 1, BadExamples.strict()));
    assertTrue(e.getMessage().startsWith(dir.resolve("vtab/dots/train800val200.txt")
        + ":3 (images/corrupt.png)"), e.getMessage());
    assertTrue(e.getMessage().contains("skip_bad_examples"), e.getMessage());
  }

  @Test
  void corruptImageIsLeftOutAndCountedWhenSkipping() {
    vtabTask();
    List<String> warnings = new ArrayList<>();
    BadExamples bad = new BadExamples(true, warnings::add);
    Dataset d = DataSources.load(vtab(true), 1, bad);
    assertEquals(3, d.train().size());
    assertEquals(1, d.test().size());
    assertEquals(2, d.numClasses());
    assertEquals(1, bad.count());
    assertTrue(warnings.get(0).contains("corrupt.png"), warnings.get(0));
  }

  @Test
  void imageFolderHoldsOutAValidationShare() {
    for (int i = 0; i < 10; i++) {
      TestImages.png(dir.resolve("train/a/" + i + ".png"), 4, 4, i);
      TestImages.png(dir.resolve("train/b/" + i + ".png"), 4, 4, i);
    }
    DataConfig c = DataConfig.newBuilder().setImageFolder(ImageFolderSource.newBuilder()
        .setTrainDir(dir.resolve("train").toString()).setValFraction(0.2f)).build();
    Dataset d = DataSources.load(c, 1, BadExamples.strict());
    assertEquals(List.of("a", "b"), d.classNames());
    assertEquals(16, d.train().size());
    assertEquals(4, d.val().size());
    assertEquals(d.val().examples(), d.test().examples(), "no test dir: test is validation");
  }

  @Test
  void syntheticTaskReadsThroughBothLayoutsWithItsTemplates() {
    SyntheticSuite.generate(dir.resolve("syn"), SyntheticOptions.builder().seed(3).imageSize(16)
        .pretrainCount(0).trainPerTask(40).valPerTask(10).testPerTask(20)
        .tasks(List.of("shape")).build(), (s, d, t) -> {});
    SyntheticSource.Builder src = SyntheticSource.newBuilder()
        .setDir(dir.resolve("syn").toString()).setTask("shape").setGeneratorSeed(3)
        .setImageSize(16);
    Dataset vtab = DataSources.load(DataConfig.newBuilder().setSynthetic(src).build(), 1,
        BadExamples.strict());
    Dataset coop = DataSources.load(DataConfig.newBuilder().setSynthetic(
        src.clone().setLayout(SyntheticLayout.COOP)).setSampling(
            SamplingConfig.newBuilder().setShots(2)).build(), 1, BadExamples.strict());
    assertEquals(50, vtab.train().size(), "VTAB protocol trains on train + val");
    assertEquals(20, vtab.test().size());
    assertEquals(vtab.classNames(), coop.classNames());
    assertEquals(2 * coop.numClasses(), coop.train().size());
    assertTrue(vtab.templates().get(0).contains("{}"));
    assertEquals(16, vtab.train().examples().get(0).image().load().width());
  }

  @Test
  void syntheticSuiteMadeWithOtherSettingsIsNotSilentlyReused() throws Exception {
    Path syn = dir.resolve("syn");
    Files.createDirectories(syn);
    Files.writeString(syn.resolve("suite.json"), "{\"seed\": 5, \"imageSize\": 64}");
    SyntheticSource src = SyntheticSource.newBuilder().setDir(syn.toString()).setTask("shape")
        .build();
    TfpeftException e = assertThrows(TfpeftException.class, () -> DataSources.load(
        DataConfig.newBuilder().setSynthetic(src).build(), 1, BadExamples.strict()));
    assertTrue(e.getMessage().contains("generated with seed 5"), e.getMessage());
  }

  @Test
  void unknownSyntheticTaskListsTheTasks() {
    SyntheticSource src = SyntheticSource.newBuilder().setDir(dir.toString()).setTask("nope")
        .build();
    TfpeftException e = assertThrows(TfpeftException.class, () -> DataSources.load(
        DataConfig.newBuilder().setSynthetic(src).build(), 1, BadExamples.strict()));
    assertTrue(e.getMessage().contains("no synthetic task 'nope'; tasks: shape"),
        e.getMessage());
  }
}
