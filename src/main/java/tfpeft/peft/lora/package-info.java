/**
 * LoRA: a low-rank path s * B(A x) added to the Linear sites a pattern selects (by default every
 * vision block's query and value projections), at full precision or as a 1-bit adapter, and its
 * merge into the Linear's weight for export.
 */
package tfpeft.peft.lora;
