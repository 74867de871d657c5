package tfpeft.peft.cocoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.TfpeftException;
import tfpeft.config.ConfigLoader;
import tfpeft.config.proto.RunConfig;
import tfpeft.peft.BatchLimit;
import tfpeft.peft.Method;
import tfpeft.peft.MethodRegistry;

/**
 * CoCoOp's config: what it refuses when the config loads (a ViT, a meta-net ratio that does not
 * divide the feature width, a batch over its prompt bound), and the batch bound once the class
 * count is known, for training and evaluation.
 */
class CocoopConfigTest {
  static final String CLIP = String.join("\n",
      "model {",
      "  clip { image_size: 32 patch_size: 4 vision_width: 96 vision_depth: 1 vision_heads: 4",
      "    text_width: 96 text_depth: 1 text_heads: 4 context_length: 24 vocab_size: 726",
      "    embed_dim: 96 }",
      "}",
      "data { synthetic { task: \"count\" } }",
      "");

  static String error(String text, String... overrides) {
    TfpeftException e = assertThrows(TfpeftException.class, () -> ConfigLoader.parse(text,
        "run.pbtxt", List.of(overrides)));
    assertEquals(TfpeftException.USAGE, e.exitCode());
    return e.getMessage();
  }

  static RunConfig load(String text, String... overrides) {
    return ConfigLoader.parse(text, "run.pbtxt", List.of(overrides)).resolved();
  }

  @Test
  void onAVitItIsAConfigErrorNamingTheMethod() {
    String m = error(String.join("\n", "model { vit { image_size: 32 patch_size: 4 width: 64",
        "  depth: 2 heads: 4 } }", "data { synthetic { task: \"shape\" } }",
        "method { cocoop { } }", ""));
    assertTrue(m.startsWith("run.pbtxt:4:") && m.contains("method.cocoop: needs a CLIP"), m);
  }

  @Test
  void aMetaNetRatioThatDoesNotDivideTheFeatureWidthIsAnErrorAtItsField() {
    String m = error(CLIP + "method { cocoop { meta_net_ratio: 7 } }\n");
    assertTrue(m.startsWith("run.pbtxt:7:") && m.contains("method.cocoop.meta_net_ratio: 7 does"
        + " not divide model.clip.embed_dim = 96"), m);
  }

  @Test
  void aTrainingBatchOverTheBoundWithOneClassIsAnErrorAtTheBatchSize() {
    String m = error(CLIP + "method { cocoop { max_prompts: 8 } }\n"
        + "training { batch_size: 9 }\n");
    assertTrue(m.startsWith("run.pbtxt:8:") && m.contains("training.batch_size: 9 images"
        + " already exceed method.cocoop.max_prompts = 8"), m);
  }

  @Test
  void anEvaluationBatchOverTheBoundWithOneClassIsAnErrorAtItsField() {
    String m = error(CLIP + "method { cocoop { max_prompts: 8 } }\n"
        + "training { batch_size: 1 }\neval { batch_size: 9 }\n");
    assertTrue(m.startsWith("run.pbtxt:9:") && m.contains("eval.batch_size: 9 images"), m);
  }

  @Test
  void moreThanOneTemplateIsAnErrorAtTheTemplates() {
    String m = error(CLIP.replace("embed_dim: 96 }", "embed_dim: 96\n"
        + "    templates: \"a photo of a {}.\" templates: \"a photo of the {}.\" }")
        + "method { cocoop { } }\n");
    assertTrue(m.contains("model.clip.templates: 2 templates, but method.cocoop has one prompt"
        + " per class"), m);
  }

  @Test
  void aTrainingBatchWhoseImagesTimesClassesExceedTheBoundNamesTheBatchThatFits() {
    RunConfig run = load(CLIP + "method { cocoop { max_prompts: 20 } }\n"
        + "training { batch_size: 4 }\n");
    Method m = MethodRegistry.builtIn().create(run.getMethod());
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> BatchLimit.check(m, run, "training.batch_size", 4, 6));
    assertTrue(e.getMessage().startsWith("training.batch_size: 4 images x 6 classes is more than"
        + " method.cocoop can hold in one graph call (method.cocoop.max_prompts = 20")
        && e.getMessage().endsWith("the largest batch that fits is 3: set training.batch_size:"
        + " 3 or less"), e.getMessage());
    BatchLimit.check(m, run, "training.batch_size", 3, 6);
  }

  @Test
  void evaluationWithoutItsOwnBatchSizeTakesNoMoreImagesThanFit() {
    RunConfig run = load(CLIP + "method { cocoop { max_prompts: 20 } }\n"
        + "training { batch_size: 4 }\n");
    Method m = MethodRegistry.builtIn().create(run.getMethod());
    assertEquals(3, BatchLimit.evaluation(m, run, 6));
    assertEquals(4, BatchLimit.evaluation(m, run, 5));
  }

  @Test
  void anEvaluationBatchSizeThatDoesNotFitTheClassesIsAnErrorAtItsField() {
    RunConfig run = load(CLIP + "method { cocoop { max_prompts: 20 } }\n"
        + "training { batch_size: 1 }\neval { batch_size: 4 }\n");
    Method m = MethodRegistry.builtIn().create(run.getMethod());
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> BatchLimit.evaluation(m, run, 6));
    assertTrue(e.getMessage().startsWith("eval.batch_size: 4 images x 6 classes"),
        e.getMessage());
  }

  @Test
  void classesThatOutnumberTheBoundLeaveNoBatchAndSaySo() {
    RunConfig run = load(CLIP + "method { cocoop { max_prompts: 5 } }\n"
        + "training { batch_size: 1 }\n");
    Method m = MethodRegistry.builtIn().create(run.getMethod());
    TfpeftException e = assertThrows(TfpeftException.class,
        () -> BatchLimit.check(m, run, "training.batch_size", 1, 6));
    assertTrue(e.getMessage().contains("not even one image of 6 classes fits")
        && e.getMessage().contains("raise that bound"), e.getMessage());
  }

  @Test
  void otherMethodsHaveNoBatchBound() {
    RunConfig run = load(CLIP + "method { coop { } }\ntraining { batch_size: 64 }\n");
    Method m = MethodRegistry.builtIn().create(run.getMethod());
    assertEquals(64, BatchLimit.evaluation(m, run, 1000));
  }
}
