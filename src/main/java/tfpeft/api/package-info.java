/**
 * tfpeft as a library: {@link tfpeft.api.Training} runs a training from a
 * {@link tfpeft.config.proto.RunConfig} built in code, and {@link tfpeft.api.Predictor} opens an
 * adapter artifact on its base, or a run's checkpoint, and classifies float images or image
 * files, giving the logits the exported SavedModel would give.
 *
 * <p>The entry points sit above the layers they drive (train, export) and below the command
 * line, which uses them for {@code predict --run} and {@code predict --adapter}. Errors a caller
 * can cause are {@link tfpeft.TfpeftException}s with the file, field or tensor they concern;
 * nothing in the library ends the JVM.
 */
package tfpeft.api;
