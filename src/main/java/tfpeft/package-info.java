/**
 * tfpeft: parameter-efficient fine-tuning of ViTs and CLIP on TensorFlow Java, in graph mode.
 *
 * <p>Packages, from the bottom up: {@code util}; {@code config} (the run's protobuf config);
 * {@code data} (sources, sampling, transforms, the input pipeline); {@code model} (ViT and CLIP
 * built from layers through named sites, weights and imports); {@code graph} (gradient
 * machinery); {@code peft} (the {@link tfpeft.peft.Method} contract, one package per method
 * family); {@code train}; {@code export}; {@code inspect}; and {@code cli} on top. Errors a user
 * can cause are {@link tfpeft.TfpeftException}s that name the file, field or tensor.
 */
package tfpeft;
