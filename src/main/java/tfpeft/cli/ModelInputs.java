package tfpeft.cli;

import tfpeft.config.proto.RunConfig;

/** What the configured model expects as input. */
final class ModelInputs {
  private ModelInputs() {}

  static int imageSize(RunConfig c) {
    return c.getModel().hasClip() ? c.getModel().getClip().getImageSize()
        : c.getModel().getVit().getImageSize();
  }
}
