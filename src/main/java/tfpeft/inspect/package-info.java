/**
 * {@code tfpeft inspect}: what a file holds, without building a model.
 *
 * <p>{@link tfpeft.inspect.Inventory} lists the tensors of any checkpoint, backbone directory,
 * weight file, SavedModel or adapter artifact (names, shapes, dtypes, sizes) and reads values on
 * request, one tensor at a time; {@link tfpeft.inspect.InventoryDiff} sets two side by side and
 * {@link tfpeft.inspect.InventoryReport} prints either. {@link tfpeft.inspect.MethodSummary}
 * adds what a run's method put there: the parameter counts and the head are generic, everything
 * else (adapters, Pear's plan, masks, prompts, the cache, the stored size) the method itself
 * says through {@link tfpeft.peft.Method#inspect}, so that no method is named here.
 */
package tfpeft.inspect;
