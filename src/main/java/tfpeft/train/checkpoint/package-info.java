/**
 * Checkpoints on disk: TensorFlow's V2 bundle written by tfpeft ({@link
 * tfpeft.train.checkpoint.TensorBundle} over a {@link tfpeft.train.checkpoint.SortedTable}
 * index), one directory per checkpoint with its state, written atomically and kept by
 * {@link tfpeft.train.checkpoint.CheckpointStore} (the last N and the best).
 */
package tfpeft.train.checkpoint;
