package tfpeft.peft;

import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.Dataset;
import tfpeft.model.Net;
import tfpeft.model.text.ClipTokenizer;

/**
 * What a method sees while the graph is built.
 *
 * @param config the resolved run config
 * @param net the graph under construction
 * @param classNames the classes, in label order
 * @param resources the run's tokenizer, pretrained values and dataset
 */
public record MethodContext(RunConfig config, Net net, List<String> classNames,
    RunResources resources) {
  /** A context outside a run: see {@link RunResources#of}. */
  public MethodContext(RunConfig config, Net net, List<String> classNames) {
    this(config, net, classNames, RunResources.of(config));
  }

  public MethodConfig method() {
    return config.getMethod();
  }

  public boolean clip() {
    return config.getModel().hasClip();
  }

  public int numClasses() {
    return classNames.size();
  }

  /** The run's CLIP tokenizer (loaded once per run). */
  public ClipTokenizer tokenizer() {
    return resources.tokenizer();
  }

  /** The pretrained value of a backbone variable, or null without pretrained weights. */
  public float[] pretrained(String variable) {
    return resources.pretrained(variable);
  }

  /** The run's dataset; a method that needs it fails clearly where a graph has none. */
  public Dataset dataset() {
    if (resources.dataset() == null) {
      throw TfpeftException.failure("method." + MethodRegistry.nameOf(config.getMethod()
          .getMethodCase()) + " needs the run's dataset to build its graph");
    }
    return resources.dataset();
  }
}
