/**
 * Procedurally generated images for offline pretraining and a VTAB-style downstream suite.
 *
 * <h2>Scenes</h2>
 *
 * A {@link tfpeft.data.synthetic.Scene} is a {@link tfpeft.data.synthetic.Background} and one to
 * six {@link tfpeft.data.synthetic.SceneObject}s. Every attribute comes from a small enum whose
 * words are at once the class names, the caption vocabulary and the zero-shot prompt fillers:
 * {@link tfpeft.data.synthetic.ShapeKind} (seven shapes, including the elongated bar that carries
 * orientation), {@link tfpeft.data.synthetic.NamedColor} (eight colours, jittered per object),
 * {@link tfpeft.data.synthetic.SizeClass}, {@link tfpeft.data.synthetic.FillTexture}, {@link
 * tfpeft.data.synthetic.BackgroundKind}, {@link tfpeft.data.synthetic.GridCell}, {@link
 * tfpeft.data.synthetic.OrientationBin} and {@link tfpeft.data.synthetic.DistanceBin}. Geometry is
 * stored as fractions of the image side, so one scene renders the same picture at 32, 64 or 224
 * pixels. Sizes are area-equivalent radii: a small star covers as many pixels as a small circle,
 * so size cannot be inferred from shape or vice versa.
 *
 * <h2>Rendering</h2>
 *
 * {@link tfpeft.data.synthetic.SceneRenderer} draws with Java2D's software pipeline and
 * antialiasing into a {@code TYPE_3BYTE_BGR} image. Rendering is a pure function of the scene and
 * the size: everything random (down to a noise background's seed) is drawn when the scene is
 * sampled, so the same scene always gives the same bytes.
 *
 * <h2>Randomness and parallelism</h2>
 *
 * Item i of a named stream ("pretrain", "task/count/train", ...) draws only from {@link
 * tfpeft.data.synthetic.RngStreams#forItem}(seed, stream, i). Items are independent, so they are
 * rendered on any number of threads and the files are byte-identical for every thread count.
 * Objects are placed by rejection sampling on their exact outline polygons, keeping a margin to the
 * image edge and a gap between objects, so objects never touch and a blob count equals the object
 * count.
 *
 * <h2>Pretraining labels and captions</h2>
 *
 * {@link tfpeft.data.synthetic.PretrainSampler} mixes three scene kinds; each image has one label
 * per {@link tfpeft.data.synthetic.Attribute}, -1 where the attribute does not apply:
 *
 * <table>
 *   <caption>Attributes labelled per scene kind</caption>
 *   <tr><th>kind</th><th>share</th><th>labelled</th></tr>
 *   <tr><td>one object</td><td>60%</td>
 *       <td>shape, color, size, texture, background, count (one), position; orientation for bars</td></tr>
 *   <tr><td>2-6 objects</td><td>25%</td>
 *       <td>background, count; shape, color, size and texture too when all objects share them
 *       (half of these scenes)</td></tr>
 *   <tr><td>two objects</td><td>15%</td><td>background, count (two), distance</td></tr>
 * </table>
 *
 * Each image also gets one caption from a set of templates that vary word order and detail ("a
 * small red striped circle on a dark background", "a photo of three blue squares", "a green star
 * in the top left", "a photo of two objects far apart"). Captions are lower-case ASCII, use the
 * class names verbatim and include forms close to the task prompts, so an image-text model
 * pretrained on them can classify the downstream tasks zero-shot by class name.
 *
 * <h2>Downstream tasks</h2>
 *
 * {@link tfpeft.data.synthetic.SyntheticSuite#tasks()} lists nine {@link
 * tfpeft.data.synthetic.SyntheticTask}s in three groups after VTAB's: appearance (shape, color,
 * size), texture (texture, background) and structure (count, position, orientation, distance).
 * Each task's sampler fixes its label's attribute and draws every other attribute at random.
 * Labels follow one round robin across train, val and test, shuffled within each split, so every
 * split and train+val are balanced to within one image per class.
 *
 * <h2>On disk</h2>
 *
 * <pre>
 * out/suite.json                       generator, version, seed, image size, tasks and split sizes
 * out/pretrain/images/NNNNNN.png
 * out/pretrain/index.tsv               image, one label column per attribute, caption (header first)
 * out/pretrain/attributes.json         attribute -&gt; class names in label order
 * out/tasks/TASK/images/SPLIT_NNNNN.png
 * out/tasks/TASK/train800.txt, val200.txt, train800val200.txt, test.txt   "images/FILE.png LABEL"
 * out/tasks/TASK/classnames.txt        one class name per line, label order
 * out/tasks/TASK/split_zhou_Task.json  CoOp: {"train": [[path, label, classname], ...], "val", "test"}
 * out/tasks/TASK/task.json             name, group, classnames, templates, counts
 * </pre>
 *
 * Paths in list and split files are relative to the task directory. The VTAB-1k list names are
 * kept whatever the split sizes so that VTAB loaders read the suite unchanged. The suite is written
 * into a hidden sibling directory and renamed into place when complete; a failure removes it, and
 * an existing output is replaced only after the new one is complete ({@link
 * tfpeft.data.synthetic.SyntheticOptions#overwrite()}).
 */
package tfpeft.data.synthetic;
