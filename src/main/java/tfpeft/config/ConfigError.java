package tfpeft.config;

import tfpeft.TfpeftException;

/** Builds config errors in one format: {@code where: field.path: problem}. */
final class ConfigError {
  private ConfigError() {}

  static TfpeftException at(String where, String fieldPath, String problem) {
    StringBuilder sb = new StringBuilder(where);
    if (fieldPath != null && !fieldPath.isEmpty()) {
      sb.append(": ").append(fieldPath);
    }
    sb.append(": ").append(problem);
    return TfpeftException.usage(sb.toString());
  }
}
