/**
 * CoCoOp: conditional prompt learning (Zhou, Yang, Loy and Liu, "Conditional Prompt Learning
 * for Vision-Language Models", CVPR 2022), following the official trainers/cocoop.py of
 * KaiyangZhou/CoOp and its config vit_b16_c4_ep10_batch1_ctxv1.yaml.
 *
 * <p>CoOp's n context vectors v_1..v_n (n = 4 from "a photo of a") are shifted per image by a
 * meta-net h (section 3.2: Linear - ReLU - Linear, the hidden width the image feature's divided
 * by 16): pi = h(x), v_m(x) = v_m + pi. The prompt of class i for image x is
 * t_i(x) = {v_1(x), ..., v_n(x), c_i} and
 * p(y = i | x) = exp(sim(x, g(t_i(x))) / tau) / sum_j exp(sim(x, g(t_j(x))) / tau)
 * (Eq. 3), g the frozen text tower, sim the cosine, 1 / tau = exp(logit_scale). Only the
 * context and the meta-net train (the official prompt learner).
 *
 * <p>Where the paper leaves a detail open, the official code decides: the meta-net takes the
 * L2-normalized projected image feature (CustomCLIP.forward normalizes before calling the
 * prompt learner; the paper writes h(x)); pi, one vector of the text width, is added to every
 * context vector; the meta-net's Linears start as PyTorch's nn.Linear (uniform in
 * +-1/sqrt(fan_in), weights and biases); random context vectors start from N(0, 0.02^2). The
 * official code keeps the meta-net in fp16 under its default precision; here everything is
 * float32.
 *
 * <p>Every image has its own class features, so the classifier is
 * {@link tfpeft.peft.ClassifierKind#IMAGE_CONDITIONED}: the text tower encodes images x classes
 * prompts per graph call ({@link tfpeft.peft.cocoop.ConditionedPrompts}; the official code
 * loops over the images of a batch and encodes C prompts at a time), in training, evaluation
 * and the served SavedModel, which carries the text tower with the class prompts' token ids.
 * method.cocoop.max_prompts bounds the prompts of one call, and so the memory: the paper
 * trains with batch 1; a batch that cannot fit is a config error naming its field.
 */
package tfpeft.peft.cocoop;
