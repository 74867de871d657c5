/**
 * Gradient machinery on top of TensorFlow's C++ gradient registry, which lacks many ops and lets a
 * process register few custom gradients: {@link tfpeft.graph.GradientOverrides} registers one
 * dispatching gradient and serves every straight-through estimator and per-op gradient rule from
 * it; {@link tfpeft.graph.GradientCheck} compares gradients with central differences in double
 * precision, for tests.
 */
package tfpeft.graph;
