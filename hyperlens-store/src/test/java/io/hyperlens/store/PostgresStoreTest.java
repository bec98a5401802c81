package io.hyperlens.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.TestClock;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class PostgresStoreTest extends StoreContractTest {
  private String database;

  @Override
  JdbcStore openFresh(TestClock clock) {
    database = PostgresFixture.freshDatabase();
    return PostgresStore.open(PostgresFixture.dataSource(database), clock);
  }

  @Override
  JdbcStore reopen(TestClock clock) {
    return PostgresStore.open(PostgresFixture.dataSource(database), clock);
  }

  @Override
  void execute(String sql) {
    PostgresFixture.execute(PostgresFixture.dataSource(database), sql);
  }

  @Override
  long queryLong(String sql) {
    try (Connection connection = PostgresFixture.dataSource(database).getConnection()) {
      return queryLong(connection, sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  @Test
  void aUrlThatIsNotPostgresIsRefused() {
    assertThatThrownBy(() -> PostgresStore.open("jdbc:mysql://db/x", "u", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:mysql://db/x");
  }
}
