package io.hyperlens.trace;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wraps an implementation of an interface so that every call of a method annotated {@link Traced}
 * runs in a span; other methods pass straight through. (The factory lives here rather than on the
 * annotation because Java annotation types cannot declare static methods.)
 *
 * <p>Thread-safe: the proxy is as thread-safe as the target.
 *
 * <pre>{@code
 * AgentFactory traced = TracedProxy.proxy(AgentFactory.class, new DefaultAgentFactory(), tracer);
 * traced.createAgent("{...}"); // span "create_agent", attribute component=agent_lifecycle
 * }</pre>
 */
public final class TracedProxy {
  private TracedProxy() {}

  /**
   * A proxy implementing {@code interfaceType} that forwards every call to {@code target}, inside a
   * span for methods annotated {@link Traced}. Exceptions reach the caller unchanged.
   *
   * @throws IllegalArgumentException when {@code interfaceType} is not an interface, an argument is
   *     null, or a {@code @Traced} attribute is not {@code key=value}
   */
  public static <T> T proxy(Class<T> interfaceType, T target, DistributedTracer tracer) {
    if (interfaceType == null || !interfaceType.isInterface()) {
      throw new IllegalArgumentException(
          "interfaceType must be an interface, got " + interfaceType);
    }
    if (target == null) {
      throw new IllegalArgumentException("target must not be null");
    }
    if (tracer == null) {
      throw new IllegalArgumentException("tracer must not be null");
    }
    Map<Method, Operation> operations = new ConcurrentHashMap<>();
    Map<Method, Method> callable = new ConcurrentHashMap<>();
    for (Method method : interfaceType.getMethods()) {
      callable.put(method, makeCallable(method));
      Traced traced = method.getAnnotation(Traced.class);
      if (traced != null) {
        operations.put(method, Operation.of(interfaceType, method, traced));
      }
    }
    InvocationHandler handler = new Handler(target, tracer, operations, callable);
    Object proxy =
        Proxy.newProxyInstance(
            interfaceType.getClassLoader(), new Class<?>[] {interfaceType}, handler);
    return interfaceType.cast(proxy);
  }

  /**
   * Lets the proxy call a method of a non-public interface declared in another package. On the
   * class path this always works; in a module that does not open the package it may be refused, and
   * then such calls fail as reflection would.
   */
  private static Method makeCallable(Method method) {
    try {
      method.setAccessible(true);
    } catch (RuntimeException refused) {
      // InaccessibleObjectException or a SecurityException: public interfaces still work
    }
    return method;
  }

  private record Operation(String name, SpanKind kind, Map<String, Object> attributes) {
    static Operation of(Class<?> type, Method method, Traced traced) {
      String name =
          traced.value().isEmpty() ? type.getSimpleName() + "." + method.getName() : traced.value();
      Map<String, Object> attributes = new LinkedHashMap<>();
      for (String pair : traced.attributes()) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException(
              "@Traced attributes of "
                  + type.getSimpleName()
                  + "."
                  + method.getName()
                  + " must be key=value, got \""
                  + pair
                  + "\"");
        }
        attributes.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
      return new Operation(name, traced.kind(), Collections.unmodifiableMap(attributes));
    }
  }

  private static final class Handler implements InvocationHandler {
    private final Object target;
    private final DistributedTracer tracer;
    private final Map<Method, Operation> operations;
    private final Map<Method, Method> callable;

    /**
     * @param callable the interface's methods, made accessible: the proxy hands {@link #invoke} its
     *     own {@code Method} copies, whose accessibility flag is not set
     */
    Handler(
        Object target,
        DistributedTracer tracer,
        Map<Method, Operation> operations,
        Map<Method, Method> callable) {
      this.target = target;
      this.tracer = tracer;
      this.operations = operations;
      this.callable = callable;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        switch (method.getName()) {
          case "equals":
            return proxy == args[0];
          case "hashCode":
            return System.identityHashCode(proxy);
          default:
            return "TracedProxy[" + target + "]";
        }
      }
      Operation operation = operations.get(method);
      if (operation == null) {
        return call(method, args);
      }
      return tracer.tracedCall(
          operation.name(), operation.kind(), operation.attributes(), () -> call(method, args));
    }

    private Object call(Method method, Object[] args) throws Exception {
      try {
        return callable.getOrDefault(method, method).invoke(target, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception) {
          throw (Exception) cause;
        }
        throw (Error) cause;
      }
    }
  }
}
