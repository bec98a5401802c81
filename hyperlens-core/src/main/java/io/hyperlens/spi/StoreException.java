package io.hyperlens.spi;

/**
 * A store could not do what was asked for a reason outside the caller's input: the database is
 * down, the disk is full, the store is closed or was written by a newer version. What was being
 * written is not stored; the message says why.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With a message saying what failed. */
  public StoreException(String message) {
    super(message);
  }

  /** With a message saying what failed, and the underlying cause. */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
