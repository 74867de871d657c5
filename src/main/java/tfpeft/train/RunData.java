package tfpeft.train;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import tfpeft.TfpeftException;
import tfpeft.config.proto.ClassSubset;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.BadExamples;
import tfpeft.data.DataSources;
import tfpeft.data.Dataset;
import tfpeft.data.Split;
import tfpeft.model.text.ClipTokenizer;
import tfpeft.model.text.RunTokenizer;

/**
 * The data side of a run: the sampled dataset, how bad examples are handled, and for CLIP the
 * class prompts (tokenized on first use, so a run that never scores classes by text needs no
 * vocabulary).
 */
final class RunData {
  private final RunConfig config;
  private final Dataset dataset;
  private final BadExamples bad;
  private List<String> templates;
  private final Path vocabulary;
  private ClipTokenizer tokenizer;
  private ClassPrompts prompts;

  private RunData(RunConfig config, Dataset dataset, BadExamples bad, Path vocabulary) {
    this.config = config;
    this.vocabulary = vocabulary;
    this.dataset = dataset;
    this.bad = bad;
    this.templates = config.getModel().hasClip()
        ? ClassPrompts.templates(config, dataset.templates()) : List.of();
  }

  /** @param vocabulary the tokenizer vocabulary that came with the weights, or null */
  static RunData load(RunConfig c, Path vocabulary, Consumer<String> warn) {
    if (c.getEval().getBaseToNew()
        && c.getData().getSampling().getClasses() != ClassSubset.BASE) {
      throw TfpeftException.usage("eval.base_to_new: the protocol trains on the base classes;"
          + " set data.sampling.classes: BASE");
    }
    BadExamples bad = new BadExamples(c.getData().getSkipBadExamples(),
        m -> warn.accept("warning: " + m));
    return new RunData(c, DataSources.load(c.getData(), c.getSeed(), bad), bad, vocabulary);
  }

  Dataset dataset() {
    return dataset;
  }

  BadExamples bad() {
    return bad;
  }

  int templateCount() {
    return Math.max(1, templates.size());
  }

  /** The run's class-prompt templates (CLIP; empty for a ViT), until the method settles them. */
  List<String> templates() {
    return templates;
  }

  /** Takes the templates the graph was built for (the method may have supplied its own). */
  void useTemplates(List<String> settled) {
    if (prompts != null && !prompts.templates().equals(settled)) {
      throw new IllegalStateException("class prompts were made before the templates settled");
    }
    templates = List.copyOf(settled);
  }

  /** The run's CLIP tokenizer, loaded on first use. */
  synchronized ClipTokenizer tokenizer() {
    if (tokenizer == null) {
      tokenizer = RunTokenizer.of(config, vocabulary);
    }
    return tokenizer;
  }

  /** The split that picks the best checkpoint: validation when there is one, else test. */
  Split selectionSplit() {
    return dataset.val().isEmpty() ? dataset.test() : dataset.val();
  }

  /** The class prompts of the training classes (CLIP only). */
  ClassPrompts prompts() {
    if (prompts == null && config.getModel().hasClip()) {
      prompts = promptsFor(dataset.classNames());
    }
    return prompts;
  }

  ClassPrompts promptsFor(List<String> classNames) {
    return ClassPrompts.of(tokenizer(), classNames, templates,
        config.getModel().getClip().getContextLength());
  }

  /** What the run offers its method: tokenizer, the pretrained values of {@code weights}. */
  tfpeft.peft.RunResources resources(PretrainedWeights weights) {
    return new tfpeft.peft.RunResources(this::tokenizer, weights::tensor, dataset);
  }

  /** The new classes of the base-to-new protocol, sampled and checked as the base ones. */
  Dataset newClasses(RunConfig c) {
    var data = c.getData().toBuilder();
    data.getSamplingBuilder().setClasses(ClassSubset.NEW);
    return DataSources.load(data.build(), c.getSeed(), bad);
  }
}
