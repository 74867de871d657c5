package tfpeft.model.imports;

import java.util.List;
import java.util.Set;
import tfpeft.config.proto.ModelConfig;

/**
 * What a mapping table read from a weight file: the architecture the weights have.
 *
 * @param model the architecture at the file's own image size
 * @param assumed config fields (e.g. "vision_heads", "layer_norm_eps") the file does not state,
 *     filled by the format's convention; a configured value overrides them
 * @param headClasses classes of the ViT classification head in the file, 0 if it has none
 * @param layout the layout found, for messages ("Hugging Face ViTForImageClassification")
 * @param notes remarks for the import report
 */
record Inferred(ModelConfig model, Set<String> assumed, int headClasses, String layout,
    List<String> notes) {}
