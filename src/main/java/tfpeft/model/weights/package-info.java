/**
 * Reading and writing the weight files that pretrained ViT and CLIP checkpoints come in, as named
 * float32 tensors. This is only the file layer: which tensor feeds which variable of a model is
 * decided by the mapping tables elsewhere.
 *
 * <h2>Formats</h2>
 *
 * <ul>
 *   <li><b>safetensors</b> (Hugging Face; {@link tfpeft.model.weights.SafetensorsReader},
 *       {@link tfpeft.model.weights.SafetensorsWriter}): an 8-byte little-endian header length,
 *       a JSON header of dtypes, shapes and data offsets, then the raw little-endian data.
 *       F32, F16, BF16, F64 and the integer and bool types are converted to float32.
 *   <li><b>.npz</b> (numpy; Google's ViT checkpoints; {@link tfpeft.model.weights.NpzReader},
 *       {@link tfpeft.model.weights.NpzWriter}): a zip of .npy arrays, stored or deflated.
 *   <li><b>.npy</b> ({@link tfpeft.model.weights.NpyReader},
 *       {@link tfpeft.model.weights.NpyWriter}): one array, either byte order, C or Fortran
 *       order; also used for preprocessed image batches and for the logits tfpeft writes.
 * </ul>
 *
 * {@link tfpeft.model.weights.WeightFiles} picks the reader from a file's first bytes (and its
 * name when those say nothing), accepts a Hugging Face model directory, and reads its
 * config.json.
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li><b>One in-memory form.</b> Every reader produces {@link
 *       tfpeft.model.weights.NamedTensor}s: a name, a shape and a row-major float32 array. Half
 *       floats, byte orders and Fortran order are dealt with here, once, so the model code never
 *       sees them. {@link tfpeft.model.weights.TensorFile} keeps them by name in file order and
 *       remembers the file, so a missing tensor is reported against the checkpoint the user
 *       gave, with the nearest names it does contain.
 *   <li><b>Exact conversions.</b> binary16 and bfloat16 widen to float32 exactly ({@link
 *       tfpeft.model.weights.HalfFloats}); narrowing for the writers rounds to nearest even. The
 *       tests compare every binary16 value and wide float32 sweeps bit for bit against numpy,
 *       using fixtures made by tools/make_weight_fixtures.py independently of this code.
 *   <li><b>Streaming, not copying.</b> Tensor bytes pass through one reusable buffer of a few MB
 *       ({@code ChunkReader}) and are converted with bulk {@code ByteBuffer} views in the file's
 *       byte order, so a 350 MB checkpoint costs its float arrays plus a few MB, and float32
 *       reads run at the speed of the disk or page cache rather than element by element. The
 *       safetensors reader reads tensors in offset order so the file is read front to back.
 *       Memory mapping was not used: one mapping is limited to 2 GB, and reading through
 *       mappings would still need a copy into Java arrays.
 *   <li><b>Check the file before trusting it.</b> A safetensors header is checked completely
 *       before any data is read: header length against the file size, strict JSON (the error
 *       says where it fails), known dtypes, shapes against byte counts, offsets inside the
 *       buffer and not overlapping. Unused bytes between tensors are tolerated (the reference
 *       implementation refuses them, but they cannot corrupt what is read); a tensor of a
 *       defined but unconvertible dtype (e.g. F8_E4M3) fails only if it is requested. For .npz,
 *       the zip directory is read first, so a truncated download fails at once; each entry's
 *       header and length are checked, and bytes after an array's data are ignored as numpy
 *       ignores them.
 *   <li><b>Errors a user can act on.</b> Broken or unsupported files raise {@link
 *       tfpeft.TfpeftException#usage} with the file, the tensor or zip entry, what is wrong and
 *       what to do. PyTorch pickles, Keras HDF5 files and sharded Hugging Face checkpoints are
 *       recognised and named, since converting them is the user's remedy.
 *   <li><b>Subsets.</b> Every reader takes a name filter, so a tool can load only the tensors it
 *       needs without reading the rest of the data.
 *   <li><b>Atomic writes.</b> Writers produce a hidden temporary sibling and rename it over the
 *       target, so a crash never leaves half a file under the real name.
 * </ul>
 */
package tfpeft.model.weights;
