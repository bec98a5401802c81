package io.hyperlens.store;

import io.hyperlens.spi.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A store's connections: one writer, used by one transaction at a time, and a fixed number of
 * readers borrowed per query. A connection that breaks (the database restarted, the network
 * dropped) is closed and opened afresh on next use, so a store recovers when its database comes
 * back. Every failure surfaces as a {@link StoreException} naming the store and the operation.
 */
final class Connections implements AutoCloseable {
  /** Opens a connection, in auto-commit mode. */
  @FunctionalInterface
  interface Opener {
    Connection open() throws SQLException;
  }

  /** Work on a connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private static final long BORROW_TIMEOUT_SECONDS = 30;

  private final Opener opener;
  private final String description;
  private final String lockForWrite;
  private final CommitMode commitMode;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ArrayBlockingQueue<Slot> readers;
  private final int readerCount;
  private Connection writer;

  /** How the writer's commits are synced now: SYNC as opened, ASYNC after a write behind. */
  private Durability writerCommits;

  private volatile boolean closed;

  private static final class Slot {
    Connection connection;
  }

  /** The statement that has a connection's following commits synced as {@code durability} says. */
  @FunctionalInterface
  interface CommitMode {
    String statement(Durability durability);
  }

  Connections(
      Opener opener, String description, String lockForWrite, CommitMode commitMode, int readers) {
    this.opener = opener;
    this.description = description;
    this.lockForWrite = lockForWrite;
    this.commitMode = commitMode;
    this.readerCount = readers;
    this.readers = new ArrayBlockingQueue<>(readers);
    for (int i = 0; i < readers; i++) {
      this.readers.add(new Slot());
    }
  }

  /**
   * Runs {@code work} in one write transaction and commits it; rolls back on any failure. A
   * connection found broken before the work ran (the database restarted while the store was idle)
   * is replaced and the transaction tried once more; one that breaks later is not retried, since
   * its commit may have happened.
   */
  <T> T write(String operation, Work<T> work) {
    return write(operation, Durability.SYNC, work);
  }

  /**
   * As {@link #write(String, Work)}, with the commit synced as {@code durability} says: SYNC as the
   * connection was opened to, ASYNC as the dialect relaxes it for writes behind (see {@link
   * Dialect#commitMode}).
   */
  <T> T write(String operation, Durability durability, Work<T> work) {
    writeLock.lock();
    try {
      requireOpen(operation);
      // Only a connection kept from before may be stale; a fresh one that fails is the answer.
      for (boolean mayRetry = writer != null; ; mayRetry = false) {
        try {
          if (writer == null) {
            writer = opener.open();
            writerCommits = Durability.SYNC;
          }
          if (writerCommits != durability) {
            try (Statement statement = writer.createStatement()) {
              statement.execute(commitMode.statement(durability));
            }
            writerCommits = durability;
          }
          begin(writer);
          break;
        } catch (SQLException e) {
          abortWrite();
          if (!mayRetry || writer != null) {
            throw failure(operation, e);
          }
        }
      }
      try {
        T result = work.run(writer);
        // Commits. (commit() would have some drivers open the next transaction at once, and
        // SQLite's would then hold the write lock between writes.)
        writer.setAutoCommit(true);
        return result;
      } catch (SQLException e) {
        abortWrite();
        throw failure(operation, e);
      } catch (RuntimeException | Error e) {
        abortWrite();
        throw e;
      }
    } finally {
      writeLock.unlock();
    }
  }

  private void begin(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    if (lockForWrite != null) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(lockForWrite);
      }
    }
  }

  /** Rolls the writer's transaction back and drops the writer if it is broken. */
  private void abortWrite() {
    if (writer != null) {
      rollback(writer);
      writer = keepIfUsable(writer);
    }
  }

  /** Runs {@code work} on a borrowed reader (auto-commit). */
  <T> T read(String operation, Work<T> work) {
    requireOpen(operation);
    Slot slot;
    try {
      slot = readers.poll(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(description + ": interrupted waiting to " + operation, e);
    }
    if (slot == null) {
      throw new StoreException(
          description
              + ": no reader free after "
              + BORROW_TIMEOUT_SECONDS
              + " s to "
              + operation
              + " (all "
              + readerCount
              + " busy; close the streams you open)");
    }
    try {
      requireOpen(operation);
      if (slot.connection == null) {
        slot.connection = opener.open();
      }
      return work.run(slot.connection);
    } catch (SQLException e) {
      slot.connection = keepIfUsable(slot.connection);
      throw failure(operation, e);
    } finally {
      if (closed && slot.connection != null) {
        closeQuietly(slot.connection); // close() has passed this slot by
        slot.connection = null;
      }
      readers.add(slot);
    }
  }

  private void requireOpen(String operation) {
    if (closed) {
      throw new StoreException(description + " is closed; cannot " + operation);
    }
  }

  private StoreException failure(String operation, SQLException e) {
    return new StoreException(description + ": " + operation + " failed: " + e.getMessage(), e);
  }

  private static void rollback(Connection connection) {
    try {
      if (!connection.getAutoCommit()) {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    } catch (SQLException ignored) {
      // the connection is checked next; a broken one is replaced
    }
  }

  private static Connection keepIfUsable(Connection connection) {
    if (connection == null) {
      return null;
    }
    try {
      if (connection.isValid(2)) {
        return connection;
      }
    } catch (SQLException ignored) {
      // treated as broken
    }
    closeQuietly(connection);
    return null;
  }

  /**
   * Leaves the writer committing durably, as it was opened, before it goes back to whatever lent it
   * (a pool would otherwise lend a connection with relaxed commits to its next user).
   */
  private void restoreDurableCommits(Connection connection) {
    if (writerCommits == Durability.SYNC) {
      return;
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute(commitMode.statement(Durability.SYNC));
      writerCommits = Durability.SYNC;
    } catch (SQLException ignored) {
      // closing anyway; a broken connection is not lent again
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // closing a broken connection
    }
  }

  /** Waits for the running write and the borrowed readers (up to 30 s), then closes them all. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (writeLock.tryLock(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        try {
          if (writer != null) {
            restoreDurableCommits(writer);
            closeQuietly(writer);
            writer = null;
          }
        } finally {
          writeLock.unlock();
        }
      } // else a write is stuck in the database: its connection is abandoned to it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (int i = 0; i < readerCount; i++) {
      Slot slot;
      try {
        slot = readers.poll(BORROW_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (slot == null) {
        return; // a reader still borrowed: it is closed when its query ends and the JVM exits
      }
      if (slot.connection != null) {
        closeQuietly(slot.connection);
        slot.connection = null;
      }
    }
  }
}
