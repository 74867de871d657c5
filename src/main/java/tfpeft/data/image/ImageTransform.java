package tfpeft.data.image;

import java.util.SplittableRandom;

/**
 * One step of the uint8 image pipeline. Random transforms draw only from {@code rng}, which the
 * input pipeline derives from (seed, epoch, example) so that results do not depend on threads.
 * Deterministic transforms ignore it.
 */
@FunctionalInterface
public interface ImageTransform {
  RgbImage apply(RgbImage image, SplittableRandom rng);
}
