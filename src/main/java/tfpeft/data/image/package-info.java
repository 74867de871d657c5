/**
 * Image input for training and evaluation: decoding, uint8 transforms and normalisation, built to
 * give the same pixels as the Pillow + torchvision pipelines that reference ViT and CLIP
 * fine-tuning code uses, so accuracy numbers are comparable.
 *
 * <p>Design:
 *
 * <ul>
 *   <li>One pixel type, {@link tfpeft.data.image.RgbImage}: 8-bit RGB, HWC. Every decoder output
 *       and every geometric transform is uint8, as in Pillow, and rounding happens where Pillow
 *       rounds. Floats appear only at the end, in {@link tfpeft.data.image.Normalizer}, with
 *       torchvision's float32 {@code ToTensor}/{@code Normalize} arithmetic.
 *   <li>{@link tfpeft.data.image.ImageDecoder} equals Pillow's {@code convert('RGB')}: JPEG
 *       components come raw from the JDK's libjpeg-based reader and are converted with libjpeg's
 *       and Pillow's integer formulas (YCbCr, CMYK, YCCK), other formats go through ImageIO with
 *       samples read directly (no colour management, no gray gamma). No third-party ImageIO
 *       plugins are needed. EXIF orientation is not applied and ICC profiles are ignored, as in
 *       Pillow and torchvision's default loader. Bad input is a usage error naming the file.
 *   <li>{@link tfpeft.data.image.Resampler} is Pillow 9.4's {@code Image.resize} bit for bit
 *       (NEAREST, BILINEAR, BICUBIC, antialiased, fixed point, horizontal pass first) with cached
 *       coefficient tables; crop-then-resize reads the region in place.
 *   <li>Transforms implement {@link tfpeft.data.image.ImageTransform} with torchvision's
 *       semantics ({@code Resize}, {@code CenterCrop}, {@code RandomResizedCrop},
 *       {@code RandomHorizontalFlip}, {@code Compose}). Randomness comes only from the
 *       {@link java.util.SplittableRandom} passed in, so a (seed, epoch, example) stream fixes
 *       every augmentation regardless of threading; torch's own random numbers are not
 *       reproduced. Transforms never modify their input and may return it unchanged.
 * </ul>
 *
 * <p>The test fixtures come from {@code tools/make_image_fixtures.py}, run with Pillow 9.4.
 */
package tfpeft.data.image;
