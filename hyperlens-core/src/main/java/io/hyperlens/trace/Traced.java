package io.hyperlens.trace;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface method whose calls {@link TracedProxy#proxy} wraps in a span: the seed's
 * {@code @trace_operation} decorator in Java. Each call runs in a new span made current for its
 * duration, ends {@code OK} on return, and on a throw records the exception, ends {@code ERROR} and
 * rethrows the exception unchanged.
 *
 * <pre>{@code
 * interface AgentFactory {
 *   @Traced(value = "create_agent", attributes = {"component=agent_lifecycle"})
 *   String createAgent(String config);
 *
 *   @Traced // span "AgentFactory.calculateMetrics"
 *   int calculateMetrics(List<Integer> data);
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Traced {
  /** The operation name; empty means {@code InterfaceSimpleName.methodName}. */
  String value() default "";

  /** The span kind. */
  SpanKind kind() default SpanKind.INTERNAL;

  /** Constant attributes as {@code key=value} strings. */
  String[] attributes() default {};
}
