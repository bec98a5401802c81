package io.hyperlens.store;

import io.hyperlens.spi.StoreException;
import java.sql.Connection;
import java.time.Clock;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The shared store: a PostgreSQL database that several Hyperlens processes may write to at once.
 * Batches go in as multi-row {@code INSERT ... ON CONFLICT DO NOTHING} statements of up to 500
 * rows; appends from several processes are serialized by a transaction-scoped advisory lock so that
 * sequence numbers commit in order. The store keeps one writing and up to four reading connections
 * from the {@link DataSource}, and replaces any that break.
 *
 * <pre>{@code
 * try (PostgresStore store =
 *     PostgresStore.open("jdbc:postgresql://db:5432/hyperlens", "hyperlens", password)) {
 *   store.append(List.of(event));
 * }
 * }</pre>
 *
 * @see JdbcStore for what every store does
 */
public final class PostgresStore extends JdbcStore {
  private static final int READERS = 4;

  private PostgresStore(Connections connections, String description, Clock clock) {
    super(PostgresDialect.INSTANCE, connections, description, clock);
  }

  /**
   * Opens the store at {@code jdbcUrl}, migrating its schema. A null {@code user} or {@code
   * password} leaves the URL's own ({@code ?user=NAME}) in place.
   *
   * @throws StoreException if the database cannot be reached or was written by a newer version
   */
  public static PostgresStore open(String jdbcUrl, String user, String password) {
    if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "jdbcUrl must start with jdbc:postgresql:, got " + jdbcUrl);
    }
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(jdbcUrl);
    if (user != null) {
      dataSource.setUser(user);
    }
    if (password != null) {
      dataSource.setPassword(password);
    }
    return open(dataSource, Clock.systemUTC());
  }

  /**
   * Opens the store in the database {@code dataSource} connects to, migrating its schema.
   *
   * @throws StoreException if the database cannot be reached or was written by a newer version
   */
  public static PostgresStore open(DataSource dataSource, Clock clock) {
    if (dataSource == null) {
      throw new IllegalArgumentException("dataSource must not be null");
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    String description = "PostgreSQL store " + describe(dataSource);
    Connections connections =
        new Connections(
            () -> {
              Connection connection = dataSource.getConnection();
              connection.setAutoCommit(true);
              return connection;
            },
            description,
            PostgresDialect.INSTANCE.lockForWrite(),
            PostgresDialect.INSTANCE::commitMode,
            READERS);
    return new PostgresStore(connections, description, clock);
  }

  private static String describe(DataSource dataSource) {
    if (!(dataSource instanceof PGSimpleDataSource)) {
      return dataSource.getClass().getSimpleName();
    }
    String url = ((PGSimpleDataSource) dataSource).getURL();
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query); // parameters may hold a password
  }
}
