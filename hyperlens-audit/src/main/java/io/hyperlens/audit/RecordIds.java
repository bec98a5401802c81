package io.hyperlens.audit;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;

/**
 * Ids for records appended without one: {@code audit-} and a random (version 4) UUID, as {@link
 * UUID#randomUUID()} makes them, but drawn from the JDK's DRBG 4 KiB (256 ids) at a time. {@code
 * UUID.randomUUID()} asks the platform's {@code SecureRandom} for 16 bytes per id, which cost about
 * ten times as much as the rest of the id. Not thread-safe: the log draws under its lock.
 */
final class RecordIds {
  private static final int BLOCK = 4096;

  private final SecureRandom random;
  private final ByteBuffer block = ByteBuffer.allocate(BLOCK).position(BLOCK);

  RecordIds() {
    SecureRandom drbg;
    try {
      drbg = SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      drbg = new SecureRandom(); // a JDK without DRBG (before 9, or trimmed): the default
    }
    this.random = drbg;
  }

  /** The next id, {@code audit-xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx}. */
  String next() {
    if (!block.hasRemaining()) {
      random.nextBytes(block.array());
      block.clear();
    }
    long msb = block.getLong();
    long lsb = block.getLong();
    // The version (4, random) and the IETF variant, the bits UUID.randomUUID() sets.
    msb = (msb & ~0xf000L) | 0x4000L;
    lsb = (lsb & 0x3fffffffffffffffL) | 0x8000000000000000L;
    return "audit-" + new UUID(msb, lsb);
  }
}
