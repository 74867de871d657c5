package tfpeft.peft.prompt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.model.SiteHook;

class PromptGateTest {
  /**
   * A hook method the gate does not override falls to SiteHook's default, so the prompt hooks
   * behind it would never be asked there and CoOp, KgCoOp and ProGrad would train without their
   * context at that site (CoOp's class-specific context and MIDDLE/FRONT placement live in
   * textEmbeddings).
   */
  @Test
  void theGateForwardsEveryHookMethod() throws Exception {
    List<String> notForwarded = new ArrayList<>();
    for (Method m : SiteHook.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Method own = PromptGate.class.getMethod(m.getName(), m.getParameterTypes());
      if (own.getDeclaringClass() != PromptGate.class) {
        notForwarded.add(m.getName());
      }
    }
    assertTrue(notForwarded.isEmpty(), "PromptGate does not forward " + notForwarded);
  }
}
