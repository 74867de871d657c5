package tfpeft.model.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tfpeft.model.weights.Fixtures.assertUsageError;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding weight files, telling their formats apart, and reading config.json. */
class WeightFilesTest {
  @TempDir Path dir;

  private Path copy(String fixture, String newName) throws IOException {
    Path target = dir.resolve(newName);
    Files.copy(Fixtures.path(fixture), target);
    return target;
  }

  @Test
  void safetensorsIsRecognisedByItsHeaderWhateverItsName() throws IOException {
    Path file = copy("dtypes.safetensors", "weights.bin");
    assertEquals(WeightFiles.Format.SAFETENSORS, WeightFiles.detect(file));
    assertEquals(13, WeightFiles.open(file).size());
  }

  @Test
  void npzIsRecognisedByTheZipMagicWhateverItsName() throws IOException {
    Path file = copy("arrays.npz", "ViT-B_16.weights");
    assertEquals(WeightFiles.Format.NPZ, WeightFiles.detect(file));
    assertEquals(13, WeightFiles.open(file).size());
  }

  @Test
  void npyIsRecognisedByItsMagicAndReadAsOneTensor() {
    TensorFile file = WeightFiles.open(Fixtures.path("images.npy"));
    assertEquals(List.of("images"), file.names());
  }

  @Test
  void aModelDirectoryOpensItsModelSafetensors() {
    Path modelDir = Fixtures.path("model_dir");
    TensorFile file = WeightFiles.open(modelDir);
    assertEquals(modelDir.resolve("model.safetensors"), file.source());
    Fixtures.assertBitsEqual(Fixtures.expectedTensor("model_dir", "embeddings.cls_token"),
        file.get("embeddings.cls_token"));
  }

  @Test
  void theConfigBesideTheWeightsIsFound() {
    Path modelDir = Fixtures.path("model_dir");
    assertEquals(modelDir.resolve("config.json"),
        WeightFiles.configBeside(modelDir.resolve("model.safetensors")).orElseThrow());
    assertEquals(modelDir.resolve("config.json"), WeightFiles.configBeside(modelDir).orElseThrow());
    assertTrue(WeightFiles.configBeside(Fixtures.path("arrays.npz")).isEmpty());
  }

  @Test
  void aConfigIsReadFromAFileOrItsDirectory() {
    JsonObject config = WeightFiles.readJsonConfig(Fixtures.path("model_dir"));
    assertEquals(4, config.get("hidden_size").getAsInt());
    assertEquals(1e-12, config.get("layer_norm_eps").getAsDouble());
    assertEquals(config, WeightFiles.readJsonConfig(Fixtures.path("model_dir/config.json")));
  }

  @Test
  void aConfigThatDoesNotParseNamesTheLine() {
    assertUsageError(() -> WeightFiles.readJsonConfig(Fixtures.path("broken/config_not_json.json")),
        "config_not_json.json", "line 3, column", "not valid JSON");
  }

  @Test
  void aConfigWithPythonsNanIsAccepted() throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "{\"dropout\": NaN, \"scale\": Infinity}");
    assertTrue(Double.isNaN(WeightFiles.readJsonConfig(file).get("dropout").getAsDouble()));
  }

  @Test
  void aConfigThatIsNotAnObjectIsRefused() throws IOException {
    Path file = dir.resolve("config.json");
    Files.writeString(file, "[1, 2]");
    assertUsageError(() -> WeightFiles.readJsonConfig(file), "config.json", "JSON object");
  }

  @Test
  void aMissingConfigIsNamed() {
    assertUsageError(() -> WeightFiles.readJsonConfig(dir), "config.json", "not found");
  }

  @Test
  void aBrokenFileWithTheRightExtensionGetsItsReadersDiagnosis() {
    assertUsageError(() -> WeightFiles.open(Fixtures.path("broken/header_too_long.safetensors")),
        "header_too_long.safetensors", "larger than the rest of the file");
  }

  @Test
  void aDirectoryWithoutModelSafetensorsSaysWhatItHas() throws IOException {
    Files.writeString(dir.resolve("pytorch_model.bin"), "x");
    assertUsageError(() -> WeightFiles.open(dir), dir.toString(), "no model.safetensors",
        "pytorch_model.bin");
  }

  @Test
  void aShardedCheckpointIsRecognised() throws IOException {
    Files.writeString(dir.resolve("model.safetensors.index.json"), "{}");
    assertUsageError(() -> WeightFiles.open(dir), "sharded");
  }

  @Test
  void aPickleIsRecognisedAsAnOldPytorchCheckpoint() throws IOException {
    Path file = dir.resolve("model.pt");
    Files.write(file, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0, 0, 0, 0, 0, 0, 0});
    assertUsageError(() -> WeightFiles.open(file), "model.pt", "pickle", "safetensors");
  }

  @Test
  void anHdf5FileIsRecognised() throws IOException {
    Path file = dir.resolve("tf_model.h5");
    Files.write(file, new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0});
    assertUsageError(() -> WeightFiles.open(file), "tf_model.h5", "HDF5");
  }

  @Test
  void anUnrecognisedFileShowsItsFirstBytes() throws IOException {
    Path file = dir.resolve("weights.dat");
    Files.writeString(file, "hello world");
    assertUsageError(() -> WeightFiles.open(file), "weights.dat", "68 65 6c 6c",
        "safetensors, .npz or .npy");
  }

  @Test
  void anEmptyFileIsCalledEmpty() throws IOException {
    Path file = dir.resolve("weights.dat");
    Files.write(file, new byte[0]);
    assertUsageError(() -> WeightFiles.open(file), "weights.dat", "empty");
  }

  @Test
  void aMissingPathIsNamed() {
    assertUsageError(() -> WeightFiles.open(dir.resolve("vit.npz")), "vit.npz", "not found");
  }

  @Test
  void aSubsetFilterReachesEveryFormat() {
    assertEquals(List.of("f32"), WeightFiles.open(Fixtures.path("dtypes.safetensors"),
        "f32"::equals).names());
    assertEquals(List.of("f8"), WeightFiles.open(Fixtures.path("arrays.npz"), "f8"::equals)
        .names());
    assertEquals(0, WeightFiles.open(Fixtures.path("images.npy"), n -> false).size());
  }
}
