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
  void aDataDirectoryThatIsAFileIsRefused() throws Exception {
    Path file = Files.writeString(root.resolve("plain-file"), "x");
    assertThatThrownBy(() -> SqliteStore.open(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("plain-file");
  }
}
