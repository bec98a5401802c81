package io.hyperlens.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

class SqliteStoreTest extends StoreContractTest {
  @TempDir Path root;
  private Path dir;
  private int opened;

  @Override
  JdbcStore openFresh(TestClock clock) {
    dir = root.resolve("data-" + ++opened);
    return SqliteStore.open(dir, clock);
  }

  @Override
  JdbcStore reopen(TestClock clock) {
    return SqliteStore.open(dir, clock);
  }

  @Override
  void useEmptyDatabase() {
    dir = root.resolve("data-" + ++opened);
  }

  @Override
  Connection connect() throws SQLException {
    try {
      Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new SQLException(e);
    }
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE_NAME));
  }

  @Override
  Dialect dialect() {
    return SqliteDialect.INSTANCE;
  }

  @Override
  void execute(String sql) {
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE_NAME));
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  @Override
  long queryLong(String sql) {
    try (Connection connection =
        DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE_NAME))) {
      return queryLong(connection, sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  @Test
  void oneFileInWalModeUnderTheDataDirectory() throws Exception {
    assertThat(((SqliteStore) store).file())
        .isEqualTo(dir.resolve("hyperlens.db").toAbsolutePath());
    assertThat(Files.exists(dir.resolve("hyperlens.db"))).isTrue();
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE_NAME));
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void theDatabaseAndItsWalAreTheOwnersOnly() throws Exception {
    store.append(Events.generate(3, java.time.Instant.parse("2026-12-06T10:00:00Z"), 1));
    for (String name : new String[] {"hyperlens.db", "hyperlens.db-wal", "hyperlens.db-shm"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))))
          .as(name)
          .isEqualTo("rw-------");
    }
  }

  @Test
  void writesBehindCommitWithSynchronousNormalAndEveryOtherWriteWithFull() throws Exception {
    Files.createDirectories(dir);
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    String url = "jdbc:sqlite:" + dir.resolve("modes.db");
    Connections.Work<Long> synchronous = connection -> queryLong(connection, "PRAGMA synchronous");
    try (Connections connections =
        new Connections(
            () -> DriverManager.getConnection(url, config.toProperties()),
            "modes",
            null,
            SqliteDialect.INSTANCE::commitMode,
            1)) {
      assertThat(connections.write("first", synchronous)).isEqualTo(2L); // FULL
      assertThat(connections.write("behind", Durability.ASYNC, synchronous)).isEqualTo(1L);
      assertThat(connections.write("behind again", Durability.ASYNC, synchronous)).isEqualTo(1L);
      assertThat(connections.write("durable", synchronous)).isEqualTo(2L);
      assertThat(connections.write("acknowledged", Durability.SYNC, synchronous)).isEqualTo(2L);
    }
  }

  @Test
  void aDataDirectoryThatIsAFileIsRefused() throws Exception {
    Path file = Files.writeString(root.resolve("plain-file"), "x");
    assertThatThrownBy(() -> SqliteStore.open(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain-file");
  }
}
