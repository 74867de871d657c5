/**
 * Prompt tuning of CLIP and ViT: learnable tokens put into the towers through the backbone's
 * generic sites, never by editing the backbone.
 *
 * <p>Two hooks do all the placing. {@link tfpeft.peft.prompt.TextPrompts} replaces positions
 * 1..n of the text (after the start token) at the token embeddings ({@code text/token_embed})
 * and where the tokens enter text blocks 1..L-1. {@link tfpeft.peft.prompt.VisualPrompts}
 * appends n tokens after the patch tokens before ln_pre ({@code embed}) and replaces those last
 * n tokens where they enter blocks 1..L-1. Past depth L the tokens flow on.
 *
 * <p>The methods differ only in where the prompt values come from: CoOp's context
 * ({@link tfpeft.peft.prompt.CoopPrompts}, depth 1, or deeper), VPT-deep's visual prompts
 * ({@link tfpeft.peft.prompt.VptPrompts}), and MuDPT's pair of stacks fused by the
 * {@link tfpeft.peft.prompt.InjectionModel} ({@link tfpeft.peft.prompt.MudptPrompts}, with
 * MaPLe-style one-way coupling as an option). All prompt values are computed once per step
 * before the towers run, so the hooks only place them.
 *
 * <p>With text prompts, every text through the tower is prompted: the class prompts must hold
 * n context slots between the start token and the class name, as
 * {@link tfpeft.peft.prompt.ContextPrompt} builds them ("X X X X name.", or "a photo of a
 * name." when that phrase initializes the context), and the class features are computed in the
 * graph every step so that the loss reaches the context.
 *
 * <p>{@link tfpeft.peft.prompt.TextPromptMethod} (CoOp, MuDPT) and
 * {@link tfpeft.peft.prompt.VptMethod} are the trainer's view of the three;
 * {@link tfpeft.peft.prompt.PromptMethods} holds their factories, which the registry lists.
 */
package tfpeft.peft.prompt;
