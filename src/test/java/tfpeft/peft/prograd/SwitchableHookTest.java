package tfpeft.peft.prograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tfpeft.model.SiteHook;

class SwitchableHookTest {
  /**
   * A hook method the switch does not override falls to SiteHook's default, so the wrapped
   * prompt hook would never be asked there and ProGrad would train without its prompts at that
   * site (CoOp's class-specific context and MIDDLE/FRONT placement live in textEmbeddings).
   */
  @Test
  void theSwitchForwardsEveryHookMethod() throws Exception {
    List<String> notForwarded = new ArrayList<>();
    for (Method m : SiteHook.class.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      Method own = SwitchableHook.class.getMethod(m.getName(), m.getParameterTypes());
      if (own.getDeclaringClass() != SwitchableHook.class) {
        notForwarded.add(m.getName());
      }
    }
    assertTrue(notForwarded.isEmpty(), "SwitchableHook does not forward " + notForwarded);
  }
}
