package tfpeft.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import tfpeft.TfpeftException;
import tfpeft.data.FileImages;
import tfpeft.data.Preprocess;
import tfpeft.data.image.ImageDecoder;
import tfpeft.model.weights.NamedTensor;
import tfpeft.model.weights.NpyReader;

/**
 * What {@code predict} runs on: image files (directories are searched, in sorted order) turned
 * into model inputs by a preprocessing, or one .npy of images already preprocessed, NHWC float.
 *
 * @param names one label per image (a path, or "file.npy[i]")
 * @param pixels N * size * size * 3 floats
 */
record PredictInputs(List<String> names, float[] pixels, int size) {
  int count() {
    return names.size();
  }

  static PredictInputs read(List<String> args, int size, Preprocess preprocess) {
    if (args.isEmpty()) {
      throw TfpeftException.usage("predict needs image files, directories or one .npy file");
    }
    boolean npy = args.stream().anyMatch(a -> a.endsWith(".npy"));
    if (npy) {
      if (args.size() != 1) {
        throw TfpeftException.usage("give either one .npy file or image files, not both");
      }
      return npy(Path.of(args.get(0)), size);
    }
    List<Path> files = new ArrayList<>();
    for (String a : args) {
      Path p = Path.of(a);
      if (Files.isDirectory(p)) {
        int before = files.size();
        try (Stream<Path> walk = Files.walk(p)) {
          walk.filter(Files::isRegularFile)
              .filter(f -> FileImages.isImageName(f.getFileName().toString()))
              .sorted().forEach(files::add);
        } catch (IOException e) {
          throw TfpeftException.failure("cannot list " + p + ": " + e.getMessage());
        }
        if (files.size() == before) {
          throw TfpeftException.usage(p + " holds no .jpg, .jpeg or .png images");
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw TfpeftException.usage(p + ": no such file or directory");
      }
    }
    if (preprocess.height() != size || preprocess.width() != size) {
      throw TfpeftException.usage("the preprocessing gives " + preprocess.width() + "x"
          + preprocess.height() + " images but the model takes " + size + "x" + size);
    }
    int per = size * size * 3;
    float[] px = new float[files.size() * per];
    List<String> names = new ArrayList<>();
    SplittableRandom rng = new SplittableRandom(0);
    for (int i = 0; i < files.size(); i++) {
      preprocess.apply(ImageDecoder.decode(files.get(i)), rng, px, i * per);
      names.add(files.get(i).toString());
    }
    return new PredictInputs(names, px, size);
  }

  private static PredictInputs npy(Path file, int size) {
    NamedTensor t = NpyReader.read(file);
    long[] s = t.shape();
    if (s.length != 4 || s[1] != size || s[2] != size || s[3] != 3) {
      throw TfpeftException.usage(file + " holds an array of shape "
          + NamedTensor.formatShape(s) + "; the model takes preprocessed images [N, " + size
          + ", " + size + ", 3] (NHWC float)");
    }
    if (s[0] == 0) {
      throw TfpeftException.usage(file + " holds no images (shape "
          + NamedTensor.formatShape(s) + ")");
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < s[0]; i++) {
      names.add(file.getFileName() + "[" + i + "]");
    }
    return new PredictInputs(names, t.data(), size);
  }
}
