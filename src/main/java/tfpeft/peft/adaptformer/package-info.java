/**
 * AdaptFormer: a bottleneck branch s * up(relu(down(x))) parallel to each vision block's MLP, at
 * full precision or as a 1-bit adapter.
 */
package tfpeft.peft.adaptformer;
