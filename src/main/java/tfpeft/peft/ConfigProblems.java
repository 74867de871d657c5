package tfpeft.peft;

/**
 * Where a method reports a problem in its own config: the config layer turns a field path and
 * a message into the error that names the file and line of that field.
 */
@FunctionalInterface
public interface ConfigProblems {
  /** The error to throw for {@code path} (e.g. "method.mask.threshold"). */
  RuntimeException at(String path, String message);

  /** Fails unless {@code value} is at most {@code limit} (a depth against a tower's depth). */
  default void atMost(String path, int value, String limitPath, int limit) {
    if (value > limit) {
      throw at(path, value + " exceeds " + limitPath + " = " + limit);
    }
  }

  /** Fails unless {@code divisor} divides {@code value} (heads into a width). */
  default void divides(String divisorPath, int divisor, String valuePath, int value) {
    if (value % divisor != 0) {
      throw at(divisorPath, divisor + " does not divide " + valuePath + " = " + value);
    }
  }
}
