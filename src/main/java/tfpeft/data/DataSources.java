package tfpeft.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tfpeft.TfpeftException;
import tfpeft.config.proto.CoopSource;
import tfpeft.config.proto.DataConfig;
import tfpeft.config.proto.IdxSource;
import tfpeft.config.proto.ImageFolderSource;
import tfpeft.config.proto.SamplingConfig;
import tfpeft.config.proto.VtabSource;

/**
 * Builds the dataset a run sees from its data config: reads the source, applies the class subset
 * (base-to-new) and K-shot sampling, and, when asked, decodes every image once up front.
 */
public final class DataSources {
  private DataSources() {}

  /** Reads and samples the configured data. {@code seed} is the run seed. */
  public static Dataset load(DataConfig config, long seed, BadExamples bad) {
    Dataset raw = read(config, seed, bad);
    Dataset d = sample(raw, config.getSampling(), seed);
    if (d.train().isEmpty()) {
      throw TfpeftException.usage("data: the training split is empty after sampling");
    }
    if (config.getVerifyImages()) {
      int threads = config.getPipeline().getThreads();
      d = d.withSplits(d.classNames(), ImageVerifier.verify(d.train(), threads, bad),
          ImageVerifier.verify(d.val(), threads, bad), ImageVerifier.verify(d.test(), threads, bad));
    }
    return d;
  }

  /** The source's splits before sampling. */
  public static Dataset read(DataConfig config, long seed, BadExamples bad) {
    return switch (config.getSourceCase()) {
      case IMAGE_FOLDER -> imageFolder(config.getImageFolder(), seed, bad);
      case VTAB -> vtab(config.getVtab(), bad);
      case COOP -> coop(config.getCoop(), bad);
      case IDX -> idx(config.getIdx(), seed, bad);
      case SYNTHETIC -> SyntheticData.read(config.getSynthetic(), bad);
      case SOURCE_NOT_SET -> throw TfpeftException.usage(
          "data: set one of image_folder, vtab, coop, idx, synthetic");
    };
  }

  /**
   * The source's whole validation split of the run's classes, without K-shot sampling (what
   * TIP-Adapter's official code searches its hyper-parameters on).
   */
  public static Split validation(DataConfig config, long seed, BadExamples bad) {
    return ClassSplit.apply(read(config, seed, bad), config.getSampling().getClasses()).val();
  }

  /** Class subset first, then K-shot sampling of train (and val), as the CoOp protocol does. */
  public static Dataset sample(Dataset d, SamplingConfig s, long seed) {
    Dataset out = ClassSplit.apply(d, s.getClasses());
    if (s.getShots() > 0) {
      int valShots = s.getValShots() >= 0 ? s.getValShots()
          : FewShotSampler.defaultValShots(s.getShots());
      Split train = FewShotSampler.sample(out.train(), out.numClasses(), s.getShots(), seed);
      Split val = valShots == 0 ? new Split("val", List.of())
          : FewShotSampler.sample(out.val(), out.numClasses(), valShots, seed);
      out = out.withSplits(out.classNames(), train, val, out.test());
    } else if (s.getValShots() > 0) {
      Split val = FewShotSampler.sample(out.val(), out.numClasses(), s.getValShots(), seed);
      out = out.withSplits(out.classNames(), out.train(), val, out.test());
    }
    return out;
  }

  private static Dataset imageFolder(ImageFolderSource s, long seed, BadExamples bad) {
    Path trainDir = Path.of(s.getTrainDir());
    List<String> classes = ImageFolderReader.classNames(trainDir);
    Split train = ImageFolderReader.read("train", trainDir, classes, bad);
    Split val;
    if (!s.getValDir().isEmpty()) {
      val = ImageFolderReader.read("val", Path.of(s.getValDir()), classes, bad);
    } else if (s.getValFraction() > 0) {
      Split[] parts = holdOut(train, classes.size(), s.getValFraction(), seed);
      train = parts[0];
      val = parts[1];
    } else {
      val = new Split("val", List.of());
    }
    Split test = s.getTestDir().isEmpty() ? new Split("test", val.examples())
        : ImageFolderReader.read("test", Path.of(s.getTestDir()), classes, bad);
    return new Dataset(trainDir.getFileName().toString(), classes, train, val, test, List.of());
  }

  private static Dataset vtab(VtabSource s, BadExamples bad) {
    Path taskDir = Path.of(s.getRoot()).resolve(s.getTask());
    if (!java.nio.file.Files.isDirectory(taskDir)) {
      throw TfpeftException.usage(taskDir + ": VTAB task directory not found (data.vtab.root / "
          + "data.vtab.task)");
    }
    boolean outside = s.getAllowPathsOutsideRoot();
    List<VtabListReader.Entry> train = VtabListReader.readList(taskDir, s.getTrainList(), bad,
        outside);
    List<VtabListReader.Entry> val = s.getValList().isEmpty() ? List.of()
        : VtabListReader.readList(taskDir, s.getValList(), bad, outside);
    List<VtabListReader.Entry> test = VtabListReader.readList(taskDir, s.getTestList(), bad,
        outside);
    List<String> names = VtabListReader.classNamesFile(taskDir);
    int numClasses = s.getNumClasses() > 0 ? s.getNumClasses()
        : names != null ? names.size()
        : 1 + java.util.stream.Stream.of(train, val, test).flatMap(List::stream)
            .mapToInt(VtabListReader.Entry::label).max().orElse(0);
    if (names != null && names.size() != numClasses) {
      throw TfpeftException.usage(taskDir.resolve("classnames.txt") + ": has " + names.size()
          + " names but data.vtab.num_classes is " + numClasses);
    }
    if (names == null) {
      names = new ArrayList<>();
      for (int i = 0; i < numClasses; i++) {
        names.add("class " + i);
      }
    }
    return new Dataset(s.getTask(), names,
        VtabListReader.toSplit("train", train, numClasses, bad),
        VtabListReader.toSplit("val", val, numClasses, bad),
        VtabListReader.toSplit("test", test, numClasses, bad), List.of());
  }

  private static Dataset coop(CoopSource s, BadExamples bad) {
    Path dir = Path.of(s.getDatasetDir());
    CoopSplitReader.Result r = CoopSplitReader.read(dir.resolve(s.getSplitFile()),
        dir.resolve(s.getImageDir()), bad, s.getAllowPathsOutsideRoot());
    String name = s.getSplitFile().replaceFirst("^split_zhou_", "").replaceFirst("\\.json$", "");
    return new Dataset(name, r.classNames(), r.train(), r.val(), r.test(), s.getTemplatesList());
  }

  private static Dataset idx(IdxSource s, long seed, BadExamples bad) {
    Path dir = Path.of(s.getDir());
    int n = s.getClassNamesCount();
    Split train = IdxReader.read("train", IdxReader.locate(dir, s.getTrainImages()),
        IdxReader.locate(dir, s.getTrainLabels()), n, bad);
    Split test = IdxReader.read("test", IdxReader.locate(dir, s.getTestImages()),
        IdxReader.locate(dir, s.getTestLabels()), n, bad);
    int classes = n > 0 ? n : 1 + java.util.stream.Stream.concat(train.examples().stream(),
        test.examples().stream()).mapToInt(Example::label).max().orElse(0);
    List<String> names = new ArrayList<>(s.getClassNamesList());
    for (int i = names.size(); i < classes; i++) {
      names.add(Integer.toString(i));
    }
    Split val = new Split("val", List.of());
    if (s.getValFraction() > 0) {
      Split[] parts = holdOut(train, classes, s.getValFraction(), seed);
      train = parts[0];
      val = parts[1];
    }
    return new Dataset(dir.getFileName().toString(), names, train, val, test, List.of());
  }

  /** Holds out {@code fraction} of each class (rounded down, seeded) as validation. */
  static Split[] holdOut(Split split, int numClasses, float fraction, long seed) {
    int[] counts = split.classCounts(numClasses);
    int[] perClass = new int[numClasses];
    for (int c = 0; c < numClasses; c++) {
      perClass[c] = (int) Math.floor(counts[c] * (double) fraction);
    }
    return FewShotSampler.holdOut(split, perClass, seed, "holdout");
  }
}
