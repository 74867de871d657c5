/**
 * Models for serving. {@link tfpeft.export.ServingExport} writes and checks a SavedModel (a float
 * and an encoded-image signature, preprocessing in the graph by {@link
 * tfpeft.export.GraphPreprocess}), built by a {@link tfpeft.export.ServingExport.Classifier}
 * callback and pruned to what its signatures reach. {@link tfpeft.export.RunModel} is a
 * trained model opened as a run ({@link tfpeft.train.RunSession}: from a checkpoint's tensors, or
 * an adapter artifact applied to its base in the session it was opened in), and gives the
 * callback that serves it with its method folded in ({@code Method.exportTransform} and {@code
 * Method.exportFolds}), built by the same code as the graph it was trained in.
 *
 * <p>The Hugging Face PEFT format: {@link tfpeft.export.PeftExport} writes a LoRA run on
 * transformers weights as a PEFT adapter directory ({@link tfpeft.export.PeftAdapter}, {@link
 * tfpeft.export.PeftAdapterConfig}), naming each Linear site by its module in
 * ViTForImageClassification or CLIPModel ({@link tfpeft.export.PeftModules}); {@link
 * tfpeft.export.PeftStart} starts a run from one and {@link tfpeft.export.PeftArtifact} serves
 * one as an adapter artifact.
 */
package tfpeft.export;
