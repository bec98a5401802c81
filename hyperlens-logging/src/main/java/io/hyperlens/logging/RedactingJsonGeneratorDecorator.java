package io.hyperlens.logging;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import net.logstash.logback.decorate.JsonGeneratorDecorator;

/**
 * The JSON side of redaction at the cost of the values it reads: a logstash-logback-encoder {@link
 * JsonGeneratorDecorator} whose generator passes every string and number value through {@link
 * SecretMasker}'s rules and hands every other call straight to the encoder's generator. It is what
 * {@link Logging#configure} installs; the encoder's general {@code MaskingJsonGeneratorDecorator}
 * with {@link SecretMasker} does the same from a {@code logback.xml}, at the price of a path lookup
 * on every token written.
 *
 * <p>Values reach the generator as strings, characters, UTF-8 bytes, numbers, or objects and trees
 * serialized through it, and each of those is read. A raw JSON value ({@code writeRawValue}) with a
 * secret in it is written as a JSON string of its redacted text, so the line stays JSON.
 *
 * <pre>{@code
 * LoggingEventCompositeJsonEncoder encoder = new LoggingEventCompositeJsonEncoder();
 * encoder.setJsonGeneratorDecorator(new RedactingJsonGeneratorDecorator());
 * }</pre>
 */
public final class RedactingJsonGeneratorDecorator implements JsonGeneratorDecorator {
  private final SecretMasker masker = new SecretMasker();

  @Override
  public JsonGenerator decorate(JsonGenerator generator) {
    return new RedactingGenerator(generator, masker);
  }

  private static final class RedactingGenerator extends JsonGeneratorDelegate {
    private final SecretMasker masker;

    RedactingGenerator(JsonGenerator delegate, SecretMasker masker) {
      // false: objects and trees are serialized through this generator, so their values are read.
      super(delegate, false);
      this.masker = masker;
    }

    /** Writes {@code value} masked and returns true when the masker replaces it. */
    private boolean wroteMasked(Object value) throws IOException {
      Object masked = value == null ? null : masker.mask(getOutputContext(), value);
      if (masked == null) {
        return false;
      }
      delegate.writeString(masked.toString());
      return true;
    }

    @Override
    public void writeString(String text) throws IOException {
      if (!wroteMasked(text)) {
        delegate.writeString(text);
      }
    }

    @Override
    public void writeString(char[] text, int offset, int len) throws IOException {
      writeString(new String(text, offset, len));
    }

    @Override
    public void writeString(SerializableString text) throws IOException {
      writeString(text.getValue());
    }

    @Override
    public void writeString(Reader reader, int len) throws IOException {
      StringBuilder text = new StringBuilder();
      char[] buffer = new char[4096];
      int left = len < 0 ? Integer.MAX_VALUE : len;
      for (int n; left > 0 && (n = reader.read(buffer, 0, Math.min(buffer.length, left))) > 0; ) {
        text.append(buffer, 0, n);
        left -= n;
      }
      writeString(text.toString());
    }

    @Override
    public void writeUTF8String(byte[] text, int offset, int length) throws IOException {
      writeString(new String(text, offset, length, StandardCharsets.UTF_8));
    }

    @Override
    public void writeRawUTF8String(byte[] text, int offset, int length) throws IOException {
      // Already escaped JSON string content: written as it is unless it holds a secret.
      if (!wroteMasked(new String(text, offset, length, StandardCharsets.UTF_8))) {
        delegate.writeRawUTF8String(text, offset, length);
      }
    }

    @Override
    public void writeArray(String[] array, int offset, int length) throws IOException {
      delegate.writeStartArray(array, length);
      for (int i = offset; i < offset + length; i++) {
        writeString(array[i]);
      }
      delegate.writeEndArray();
    }

    @Override
    public void writeArray(long[] array, int offset, int length) throws IOException {
      delegate.writeStartArray(array, length);
      for (int i = offset; i < offset + length; i++) {
        writeNumber(array[i]);
      }
      delegate.writeEndArray();
    }

    @Override
    public void writeArray(int[] array, int offset, int length) throws IOException {
      delegate.writeStartArray(array, length);
      for (int i = offset; i < offset + length; i++) {
        writeNumber(array[i]);
      }
      delegate.writeEndArray();
    }

    @Override
    public void writeArray(double[] array, int offset, int length) throws IOException {
      delegate.writeStartArray(array, length);
      for (int i = offset; i < offset + length; i++) {
        writeNumber(array[i]);
      }
      delegate.writeEndArray();
    }

    // Every number is read: a value under a secret key is replaced whatever its type, and an
    // integer may be a card number.

    @Override
    public void writeNumber(long value) throws IOException {
      if (!wroteMasked(value)) {
        delegate.writeNumber(value);
      }
    }

    @Override
    public void writeNumber(int value) throws IOException {
      if (!wroteMasked(value)) {
        delegate.writeNumber(value);
      }
    }

    @Override
    public void writeNumber(short value) throws IOException {
      if (!wroteMasked(value)) {
        delegate.writeNumber(value);
      }
    }

    @Override
    public void writeNumber(double value) throws IOException {
      if (!wroteMasked(value)) {
        delegate.writeNumber(value);
      }
    }

    @Override
    public void writeNumber(float value) throws IOException {
      if (!wroteMasked(value)) {
        delegate.writeNumber(value);
      }
    }

    @Override
    public void writeNumber(BigDecimal value) throws IOException {
      if (!wroteMasked(value)) {
        delegate.writeNumber(value);
      }
    }

    @Override
    public void writeNumber(BigInteger value) throws IOException {
      if (!wroteMasked(value)) {
        delegate.writeNumber(value);
      }
    }

    @Override
    public void writeNumber(String encodedValue) throws IOException {
      if (!wroteMasked(encodedValue)) {
        delegate.writeNumber(encodedValue);
      }
    }

    @Override
    public void writeRawValue(String text) throws IOException {
      if (!wroteMasked(text)) {
        delegate.writeRawValue(text);
      }
    }

    @Override
    public void writeRawValue(String text, int offset, int len) throws IOException {
      writeRawValue(text.substring(offset, offset + len));
    }

    @Override
    public void writeRawValue(char[] text, int offset, int len) throws IOException {
      writeRawValue(new String(text, offset, len));
    }
  }
}
