/**
 * Models for serving. {@link tfpeft.export.ServingExport} writes and checks a SavedModel (a float
 * and an encoded-image signature, preprocessing in the graph by {@link
 * tfpeft.export.GraphPreprocess}), built by a {@link tfpeft.export.ServingExport.Classifier}
 * callback and pruned to what its signatures reach. {@link tfpeft.export.RunModel} is a
 * trained model opened as a run ({@link tfpeft.train.RunSession}: from a checkpoint's tensors, or
 * an adapter artifact applied to its base in the session it was opened in), and gives the
 * callback that serves it with its method folded in ({@code Method.exportTransform} and {@code
 * Method.exportFolds}), built by the same code as the graph it was trained in.
 */
package tfpeft.export;
