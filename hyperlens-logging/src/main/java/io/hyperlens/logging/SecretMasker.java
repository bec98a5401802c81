package io.hyperlens.logging;

import com.fasterxml.jackson.core.JsonStreamContext;
import io.hyperlens.redact.Redactor;
import java.util.Set;
import net.logstash.logback.mask.ValueMasker;

/**
 * The JSON side of redaction: a logstash-logback-encoder {@link ValueMasker} that the encoder's
 * {@code MaskingJsonGeneratorDecorator} applies to every value it writes (message, key-value pairs,
 * structured arguments, MDC, the stack trace). A value under a secret key ({@code password}, {@code
 * token}, {@code api_key}, ...) is replaced whole; any other string is passed through {@link
 * Redactor}; a number that is a card number is replaced.
 *
 * <p>Usable from {@code logback.xml}:
 *
 * <pre>{@code
 * <jsonGeneratorDecorator class="net.logstash.logback.mask.MaskingJsonGeneratorDecorator">
 *   <valueMasker class="io.hyperlens.logging.SecretMasker"/>
 * </jsonGeneratorDecorator>
 * }</pre>
 *
 * <p>{@link RedactingJsonGeneratorDecorator} applies the same rules with less work per line (and
 * also reads the values that the encoder's masking generator passes through unread: a {@code
 * String[]} and text from a {@code Reader}): {@code <jsonGeneratorDecorator
 * class="io.hyperlens.logging.RedactingJsonGeneratorDecorator"/>}.
 */
public final class SecretMasker implements ValueMasker {
  /** Fields the encoder fills itself, never with user data: not scanned. */
  private static final Set<String> OWN_FIELDS =
      Set.of("timestamp", "@timestamp", "level", "level_value", "logger", "logger_name");

  private final Redactor redactor = Redactor.standard();

  @Override
  public Object mask(JsonStreamContext context, Object value) {
    String field = context == null ? null : context.getCurrentName();
    if (field != null && context.getParent() != null && context.getParent().inRoot()) {
      if (OWN_FIELDS.contains(field)) {
        return null;
      }
    }
    if (redactor.isSecretKey(field)) {
      return "[REDACTED:credential]";
    }
    if (value instanceof CharSequence) {
      String text = value.toString();
      String redacted = redactor.redact(text);
      return redacted.equals(text) ? null : redacted;
    }
    if (value instanceof Long || value instanceof java.math.BigInteger) {
      String digits = value.toString();
      if (digits.length() >= 13 && Redactor.isCardNumber(digits)) {
        return "[REDACTED:credit_card]";
      }
    }
    return null; // unchanged
  }
}
