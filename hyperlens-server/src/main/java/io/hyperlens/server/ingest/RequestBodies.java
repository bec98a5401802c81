package io.hyperlens.server.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * A request body as the ingest reads it: decompressed when its {@code Content-Encoding} is gzip,
 * never past the body limit (a gzip bomb stops at the limit with 413), corrupt gzip a 400.
 */
public final class RequestBodies {
  private RequestBodies() {}

  /**
   * The body's bytes, decompressed per {@code contentEncoding} (null, {@code identity} or {@code
   * gzip}).
   *
   * @throws IngestException 413 over {@code maxBytes}, 400 for corrupt gzip, 415 for another
   *     encoding
   */
  public static byte[] decode(byte[] body, String contentEncoding, int maxBytes) {
    if (body.length > maxBytes) {
      throw tooLarge(maxBytes);
    }
    String encoding =
        contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    if (encoding.isEmpty() || encoding.equals("identity")) {
      return body;
    }
    if (!encoding.equals("gzip")) {
      throw new IngestException(
          415,
          "unsupported_encoding",
          "Content-Encoding \"" + contentEncoding + "\" is not supported; send gzip or identity");
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, body.length * 4));
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) != -1) {
        if (out.size() + n > maxBytes) {
          throw tooLarge(maxBytes);
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IngestException(400, "bad_gzip", "the body is not valid gzip: " + e.getMessage());
    }
  }

  private static IngestException tooLarge(int maxBytes) {
    return new IngestException(
        413,
        "too_large",
        "the body is larger than " + maxBytes + " bytes (after decompression); split the batch");
  }
}
