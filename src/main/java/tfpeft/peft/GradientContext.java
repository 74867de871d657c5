package tfpeft.peft;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import tfpeft.model.Net;

/**
 * What a gradient transform may use: the graph, the classification loss (without the method's
 * extra term), the full loss, and the logits, to build further gradients of its own.
 */
public record GradientContext(Net net, Operand<TFloat32> classificationLoss,
    Operand<TFloat32> loss, Operand<TFloat32> logits) {}
