package tfpeft.model;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.List;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * Sub-scopes opened without TensorFlow Java's scan of the graph.
 *
 * <p>{@code Ops.withSubScope} (TensorFlow Java 1.1.0) walks every op already in the graph to
 * learn the names used under the new scope ({@code NameScope.importIdsFrom}), one native name
 * read per op: building a graph of n ops through s scopes costs s x n reads, most of the time a
 * ViT-B/16 graph takes to build and a large part of a small one's. A {@link Net} opens each scope
 * once and makes every op under it through that scope, so the scan finds nothing to learn. Here
 * the new scope's name is made unique by its parent exactly as {@code withSubScope} does, and
 * its own names start empty. Where TensorFlow Java's internals are not what this expects (another
 * version), {@code withSubScope} is used instead.
 */
final class SubScopes {
  private static final Access ACCESS = Access.find();
  /** Tests set this to build a graph through {@code withSubScope} and compare. */
  static volatile boolean scan;

  private SubScopes() {}

  /** {@code parent.withSubScope(name)}, without the scan. */
  static Ops open(Ops parent, String name) {
    if (scan || ACCESS == null || !Scope.isValidOpName(name)) {
      return parent.withSubScope(name);
    }
    return ACCESS.open(parent, name);
  }

  /** Whether sub-scopes skip the scan (false where TensorFlow Java is not as expected). */
  static boolean unscanned() {
    return ACCESS != null;
  }

  /** The package-private constructors and fields of TensorFlow Java's scopes. */
  private record Access(Constructor<?> nameScope, Constructor<?> opScope, Constructor<Ops> ops,
      Field names, Field prefix, Field dependencies, Field device, Field init) {
    static Access find() {
      try {
        Class<?> names = Class.forName("org.tensorflow.op.NameScope");
        Class<?> scopes = Class.forName("org.tensorflow.op.OpScope");
        Constructor<?> n = names.getDeclaredConstructor(String.class, String.class,
            java.util.Map.class);
        Constructor<?> s = scopes.getDeclaredConstructor(ExecutionEnvironment.class, names,
            List.class, org.tensorflow.DeviceSpec.class, boolean.class);
        Constructor<Ops> o = Ops.class.getDeclaredConstructor(Scope.class);
        Field ns = scopes.getDeclaredField("nameScope");
        Field p = names.getDeclaredField("opPrefix");
        Field d = scopes.getDeclaredField("controlDependencies");
        Field v = scopes.getDeclaredField("deviceSpec");
        Field i = scopes.getDeclaredField("isInit");
        for (var a : new java.lang.reflect.AccessibleObject[] {n, s, o, ns, p, d, v, i}) {
          a.setAccessible(true);
        }
        return new Access(n, s, o, ns, p, d, v, i);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    Ops open(Ops parent, String name) {
      Scope p = parent.scope();
      if (!opScope.getDeclaringClass().isInstance(p)) {
        return parent.withSubScope(name);
      }
      try {
        // as NameScope.withSubScope: the parent makes the name unique, then qualifies it
        String parentPrefix = (String) prefix.get(names.get(p));
        String unique = p.makeUnique(name);
        String prefix = parentPrefix == null ? unique : parentPrefix + "/" + unique;
        Object names = nameScope.newInstance(prefix, null, null);
        Object scope = opScope.newInstance(p.env(), names, dependencies.get(p), device.get(p),
            init.get(p));
        return ops.newInstance(scope);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("opening scope " + name, e);
      }
    }
  }
}
