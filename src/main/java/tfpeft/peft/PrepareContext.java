package tfpeft.peft;

import java.util.function.Consumer;
import org.tensorflow.Session;
import tfpeft.config.proto.RunConfig;
import tfpeft.data.Dataset;
import tfpeft.model.Net;

/**
 * What a method sees once the session holds the weights a run or an evaluation starts from,
 * before anything trains or is evaluated.
 *
 * @param dataset the run's sampled dataset (the training split is the few-shot set)
 * @param runner runs the graph over a split
 * @param restored true when a checkpoint supplied the variables (the method's included), so
 *     what the method would compute from the data is already there
 * @param log status lines
 */
public record PrepareContext(RunConfig config, Net net, Session session, Dataset dataset,
    SplitRunner runner, boolean restored, Consumer<String> log) {}
