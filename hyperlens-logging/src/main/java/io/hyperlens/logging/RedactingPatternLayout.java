package io.hyperlens.logging;

import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.hyperlens.redact.Redactor;

/**
 * The text side of redaction: Logback's {@link PatternLayout} with every formatted line passed
 * through {@link Redactor}, so the message, its arguments, key-value pairs, MDC and the exception
 * are all covered whatever the pattern.
 *
 * <p>Usable from {@code logback.xml}:
 *
 * <pre>{@code
 * <encoder class="ch.qos.logback.core.encoder.LayoutWrappingEncoder">
 *   <layout class="io.hyperlens.logging.RedactingPatternLayout">
 *     <pattern>%d %level %logger - %msg %kvp %mdc%n%ex</pattern>
 *   </layout>
 * </encoder>
 * }</pre>
 */
public class RedactingPatternLayout extends PatternLayout {
  private final Redactor redactor = Redactor.standard();

  @Override
  public String doLayout(ILoggingEvent event) {
    return redactor.redact(super.doLayout(event));
  }
}
