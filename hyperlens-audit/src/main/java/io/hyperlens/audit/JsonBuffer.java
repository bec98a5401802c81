package io.hyperlens.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * One Jackson {@link JsonGenerator}, kept for reuse, over a byte buffer that is reset for each JSON
 * value: creating a generator costs about as much as writing a record with it, and the bytes are
 * read where they are ({@link #array()} up to {@link #size()}), so neither a string nor a copy is
 * made of them. The factory must have no root value separator, so one value after another is
 * written exactly as it would be by a generator of its own. Not thread-safe: each user (a log, a
 * thread) holds its own.
 */
final class JsonBuffer extends OutputStream {
  private final JsonFactory factory;
  private JsonGenerator generator;
  private byte[] bytes;
  private int size;

  JsonBuffer(JsonFactory factory, int capacity) {
    this.factory = factory;
    this.bytes = new byte[capacity];
  }

  /** The generator, over this buffer emptied: write one JSON value, then call {@link #end()}. */
  JsonGenerator start() {
    size = 0;
    if (generator == null) {
      try {
        generator = factory.createGenerator(this, JsonEncoding.UTF8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return generator;
  }

  /** Moves what the generator holds into the buffer, which then holds the whole value. */
  void end() throws IOException {
    generator.flush();
  }

  /**
   * Drops the generator after a write failed part way (its state is then unknown): the next {@link
   * #start()} creates a new one.
   */
  void discard() {
    generator = null;
  }

  /**
   * The bytes written since the last {@link #start()}: the array itself, valid up to {@link
   * #size()}.
   */
  byte[] array() {
    return bytes;
  }

  int size() {
    return size;
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  @Override
  public void write(int b) {
    if (size == bytes.length) {
      bytes = Arrays.copyOf(bytes, bytes.length * 2);
    }
    bytes[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (size + len > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + len));
    }
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }
}
