/**
 * Pretrained weights from the layouts they are published in, mapped onto tfpeft's variables.
 *
 * <h2>The path of a load</h2>
 *
 * {@link tfpeft.model.imports.Backbones#load} is the one entry point (training, prediction and
 * {@code tfpeft import} all use it):
 *
 * <ol>
 *   <li><b>Format.</b> AUTO looks at what the path is: a directory with model.pbtxt is a tfpeft
 *       backbone directory, one with config.json a Hugging Face checkpoint (ViT or CLIP by its
 *       model_type), an .npz a Google ViT, a .safetensors whose names start with "visual." the
 *       OpenAI CLIP layout. An explicit format is checked against the file's bytes.
 *   <li><b>Architecture.</b> Each format has one mapping table ({@code HfVitTable},
 *       {@code GoogleVitTable}, {@code HfClipTable}, {@code OpenAiClipTable},
 *       {@code TfpeftTable}). Sizes come from tensor shapes (and must agree with config.json
 *       where it has them); what shapes cannot tell comes from config.json or, failing that, the
 *       format's convention, and is marked as assumed.
 *   <li><b>Request.</b> {@code Architecture} reconciles the file with the configured model:
 *       image_size resamples, assumed settings give way to the config, anything the weights fix
 *       must agree or the error names the field and both values.
 *   <li><b>Mapping and coverage.</b> The table's rows turn file tensors into tfpeft tensors
 *       (transposing Linears stored [out, in], splitting the fused q/k/v in_proj, flattening
 *       the patch convolution in the (row, column, channel) order of
 *       {@link tfpeft.model.VisionTransformer}). The variables to cover come from building
 *       tfpeft's own graph of the architecture, so coverage and the later assignment cannot
 *       disagree. A variable without its tensor, or a file tensor left unused (unless the table
 *       knows it as harmless, like position_ids buffers, or the user ignores it), fails the load
 *       with every name listed.
 *   <li><b>Resampling.</b> {@link tfpeft.model.imports.PositionEmbeddings} resizes the patch
 *       grid bicubically (align_corners=False, cubic a = -0.75).
 * </ol>
 *
 * The result, a {@link tfpeft.model.imports.LoadedBackbone}, holds float32 values by tfpeft
 * variable name and assigns them to a graph; {@link tfpeft.model.imports.BackboneDirectory}
 * writes it as a backbone directory, all or nothing.
 *
 * <h2>Tests</h2>
 *
 * tools/make_model_fixtures.py runs tiny models in independent implementations, writes their weights in every layout and records their
 * outputs; the tests import each file, run tfpeft's graph and compare within 1e-4 relative error.
 */
package tfpeft.model.imports;
