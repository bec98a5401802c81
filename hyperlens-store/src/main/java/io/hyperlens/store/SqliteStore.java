package io.hyperlens.store;

import io.hyperlens.spi.StoreException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.time.Clock;
import org.sqlite.SQLiteConfig;

/**
 * The embedded store: one SQLite file, {@code hyperlens.db}, under a data directory. It runs in WAL
 * mode (readers never wait for the writer) with {@code synchronous=FULL}, so a committed
 * transaction survives a crash of the process and of the machine. The exception is a {@link
 * Durability#ASYNC} sink's writes behind, committed with {@code synchronous=NORMAL}: they survive a
 * crash of the process, but a power loss or a crash of the operating system may lose the last of
 * them (never a transaction committed durably, and never the database's integrity); writes begin
 * {@code IMMEDIATE} and wait up to 10 s for another process's write lock; each connection caches 32
 * MiB of pages and keeps temporary tables in memory. A new database file is readable by its owner
 * only.
 *
 * <pre>{@code
 * try (SqliteStore store = SqliteStore.open(Path.of("data"));
 *     PersistentEventSink sink = PersistentEventSink.builder(store).build()) {
 *   sink.subscribe(bus);
 *   bus.emit(event); // written behind, in batches
 * }
 * }</pre>
 *
 * @see JdbcStore for what every store does
 */
public final class SqliteStore extends JdbcStore {
  /** The database file's name inside the data directory. */
  public static final String FILE_NAME = "hyperlens.db";

  private static final int READERS = 4;
  private static final int BUSY_TIMEOUT_MS = 10_000;

  /** Page cache per connection, in KiB (SQLite's negative cache_size): 32 MiB, not 2. */
  private static final int CACHE_KIB = -32 * 1024;

  private final Path file;

  private SqliteStore(Path file, Connections connections, Clock clock) {
    super(SqliteDialect.INSTANCE, connections, "SQLite store " + file, clock);
    this.file = file;
  }

  /**
   * Opens (creating when missing) the store in {@code dataDirectory}, migrating its schema.
   *
   * @throws IllegalArgumentException if {@code dataDirectory} is null or not a directory
   * @throws StoreException if the file cannot be opened or was written by a newer version
   */
  public static SqliteStore open(Path dataDirectory) {
    return open(dataDirectory, Clock.systemUTC());
  }

  /** As {@link #open(Path)}, with the clock that closes open-ended time ranges. */
  public static SqliteStore open(Path dataDirectory, Clock clock) {
    if (dataDirectory == null) {
      throw new IllegalArgumentException("dataDirectory must not be null");
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    try {
      Files.createDirectories(dataDirectory);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "dataDirectory " + dataDirectory + " cannot be created: " + e, e);
    }
    Path file = dataDirectory.resolve(FILE_NAME).toAbsolutePath();
    createOwnerOnly(file);
    String url = "jdbc:sqlite:" + file;
    Connections connections =
        new Connections(
            () -> {
              SQLiteConfig config = new SQLiteConfig();
              config.setJournalMode(SQLiteConfig.JournalMode.WAL);
              config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
              config.setBusyTimeout(BUSY_TIMEOUT_MS);
              config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
              config.setCacheSize(CACHE_KIB);
              config.setTempStore(SQLiteConfig.TempStore.MEMORY);
              return DriverManager.getConnection(url, config.toProperties());
            },
            "SQLite store " + file,
            SqliteDialect.INSTANCE.lockForWrite(),
            SqliteDialect.INSTANCE::commitMode,
            READERS);
    return new SqliteStore(file, connections, clock);
  }

  /**
   * Creates the database file, empty, readable and writable by its owner only, when it is missing
   * (SQLite gives its {@code -wal} and {@code -shm} files the same permissions): telemetry may name
   * what agents did and with which data. Where the file system has no POSIX permissions, the file
   * is left to SQLite.
   */
  private static void createOwnerOnly(Path file) {
    if (Files.exists(file)
        || !file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException raced) {
      // another process created it first: it is theirs to have set
    } catch (IOException e) {
      throw new IllegalArgumentException("the database " + file + " cannot be created: " + e, e);
    }
  }

  /** The database file. */
  public Path file() {
    return file;
  }
}
