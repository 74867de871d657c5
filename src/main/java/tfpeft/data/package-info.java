/**
 * Images and labels for a run: sources (image folders, VTAB-1k lists, CoOp split files, IDX
 * files, the synthetic generator; {@link tfpeft.data.DataSources}), sampling (few-shot K per
 * class, the base/new class split), transforms (resize, crops, flip, normalize) and the
 * {@link tfpeft.data.InputPipeline}: parallel decoding with bounded prefetch, deterministic under
 * the run's seed. Bad images are reported by file, or skipped when the config says so.
 */
package tfpeft.data;
