package tfpeft.peft;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.tensorflow.Session;
import tfpeft.config.proto.RunConfig;
import tfpeft.model.Net;

/**
 * What a method sees when a training run ends: the final weights in the session and the run
 * directory to leave its artifacts in.
 */
public record RunEndContext(RunConfig config, Net net, Session session, Path runDirectory,
    Consumer<String> log) {}
