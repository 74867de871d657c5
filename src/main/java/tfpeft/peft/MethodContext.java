package tfpeft.peft;

import java.util.List;
import tfpeft.config.proto.MethodConfig;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.Net;

/**
 * What a method sees while the graph is built.
 *
 * @param config the resolved run config
 * @param net the graph under construction
 * @param classNames the classes, in label order
 */
public record MethodContext(RunConfig config, Net net, List<String> classNames) {
  public MethodConfig method() {
    return config.getMethod();
  }

  public boolean clip() {
    return config.getModel().hasClip();
  }

  public int numClasses() {
    return classNames.size();
  }
}
