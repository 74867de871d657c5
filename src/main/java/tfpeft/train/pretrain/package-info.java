/**
 * {@code tfpeft pretrain}: trains the small built-in backbones that the quickstart, the shipped
 * small configs and the tests start from: a ViT ({@link tfpeft.train.pretrain.VitPretrainer})
 * and a CLIP ({@link tfpeft.train.pretrain.ClipPretrainer}) on the synthetic pretraining suite,
 * with a plain step loop and a zero-shot check of the CLIP; the result is a backbone directory
 * ({@link tfpeft.train.pretrain.PretrainedBackbone}) like an imported one.
 */
package tfpeft.train.pretrain;
