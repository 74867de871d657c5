package tfpeft.peft;

import com.google.gson.JsonObject;
import java.util.Map;
import java.util.function.Function;

/**
 * A method's trained state as {@code tfpeft inspect} finds it in a checkpoint or an adapter
 * artifact, without building the model.
 *
 * @param trained the shapes of the variables that train at that point, by name, in order
 * @param state the method state stored beside them ({@link Method#saveState})
 * @param values reads one variable's values (an artifact's masks as 0 and 1), or null when the
 *     values are not at hand; one tensor at a time, so that memory stays bounded by the largest
 */
public record TrainedState(Map<String, long[]> trained, JsonObject state,
    Function<String, float[]> values) {}
