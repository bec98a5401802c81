package io.hyperlens.server.auth;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The hub's API keys, kept in {@value #FILE_NAME} in its data directory. A key is {@code
 * hl_<id>_<secret>}: the id finds the entry, and only a salted SHA-256 of the whole key is stored,
 * compared in constant time, so the file alone lets no one call the hub. Keys are created, listed
 * and revoked offline (on the data directory, {@code hyperlens keys}) or through the admin API; a
 * running hub sees changes to the file within a second. The file is written whole, through a
 * temporary file and a rename, owner-only where the file system allows. Thread-safe.
 *
 * <pre>{@code
 * ApiKeys keys = ApiKeys.open(Path.of("hyperlens-data"));
 * String key = keys.create("ci-ingest", Set.of(Scope.INGEST));
 * keys.authenticate(key).map(ApiKeys.Entry::name); // Optional[ci-ingest]
 * }</pre>
 */
public final class ApiKeys {
  /** The key file in the data directory. */
  public static final String FILE_NAME = "api-keys.json";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern KEY = Pattern.compile("hl_([0-9a-f]{12})_([A-Za-z0-9_-]{43})");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long RELOAD_EVERY_NANOS = 1_000_000_000L;

  /**
   * One key as stored: never the key itself.
   *
   * @param name the unique name given at creation
   * @param id the public part of the key, which finds the entry
   * @param scopes what the key may do
   * @param created when it was created
   * @param salt the random salt, hex
   * @param hash SHA-256 of the salt and the whole key, hex
   */
  public record Entry(
      String name, String id, Set<Scope> scopes, Instant created, String salt, String hash) {
    /** The entry's scopes as their names, sorted. */
    public List<String> scopeNames() {
      List<String> out = new ArrayList<>();
      for (Scope scope : scopes) {
        out.add(scope.value());
      }
      return out;
    }
  }

  private final Path file;
  private final Clock clock;
  private List<Entry> entries;
  private FileTime loadedVersion;
  private long checkedAt;

  private ApiKeys(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
    this.entries = read();
    this.checkedAt = System.nanoTime();
  }

  /**
   * The keys of the data directory {@code dataDirectory} (created when missing).
   *
   * @throws IllegalArgumentException when the directory cannot be created or the key file is not
   *     one this version wrote
   */
  public static ApiKeys open(Path dataDirectory) {
    return open(dataDirectory, Clock.systemUTC());
  }

  /** As {@link #open(Path)}, with the clock that stamps new keys. */
  public static ApiKeys open(Path dataDirectory, Clock clock) {
    try {
      Files.createDirectories(dataDirectory);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "data directory " + dataDirectory + " cannot be created: " + e.getMessage(), e);
    }
    return new ApiKeys(dataDirectory.resolve(FILE_NAME), clock);
  }

  /** The key file. */
  public Path file() {
    return file;
  }

  /** Whether no key exists yet (a new data directory). */
  public synchronized boolean isEmpty() {
    refresh();
    return entries.isEmpty();
  }

  /**
   * Creates a key named {@code name} with {@code scopes} and returns it: the only time the key
   * exists outside its holder's hands.
   *
   * @throws IllegalArgumentException naming the value when the name is invalid or taken, or no
   *     scope is given
   */
  public synchronized String create(String name, Set<Scope> scopes) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit,"
              + " got "
              + quote(name));
    }
    if (scopes == null || scopes.isEmpty()) {
      throw new IllegalArgumentException("scopes must not be empty (ingest, read, admin)");
    }
    refresh();
    for (Entry entry : entries) {
      if (entry.name().equals(name)) {
        throw new IllegalArgumentException("a key named \"" + name + "\" exists already");
      }
    }
    byte[] idBytes = new byte[6];
    byte[] secret = new byte[32];
    byte[] salt = new byte[16];
    RANDOM.nextBytes(idBytes);
    RANDOM.nextBytes(secret);
    RANDOM.nextBytes(salt);
    String id = HexFormat.of().formatHex(idBytes);
    String key = "hl_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    List<Entry> next = new ArrayList<>(entries);
    next.add(
        new Entry(
            name,
            id,
            EnumSet.copyOf(scopes),
            clock.instant(),
            HexFormat.of().formatHex(salt),
            HexFormat.of().formatHex(hash(salt, key))));
    write(next);
    return key;
  }

  /** Every key, oldest first, without secrets. */
  public synchronized List<Entry> list() {
    refresh();
    return List.copyOf(entries);
  }

  /**
   * Revokes the key named {@code name}: it stops working at once here, and within a second in a hub
   * running on the same data directory.
   *
   * @return whether a key of that name existed
   */
  public synchronized boolean revoke(String name) {
    refresh();
    List<Entry> next = new ArrayList<>(entries);
    boolean removed = next.removeIf(e -> e.name().equals(name));
    if (removed) {
      write(next);
    }
    return removed;
  }

  /** The entry of {@code key} when it is a valid, unrevoked key; empty otherwise. */
  public Optional<Entry> authenticate(String key) {
    if (key == null) {
      return Optional.empty();
    }
    var matcher = KEY.matcher(key);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    String id = matcher.group(1);
    Entry entry = null;
    synchronized (this) {
      refresh();
      for (Entry candidate : entries) {
        if (candidate.id().equals(id)) {
          entry = candidate;
        }
      }
    }
    if (entry == null) {
      return Optional.empty();
    }
    byte[] expected = HexFormat.of().parseHex(entry.hash());
    byte[] actual = hash(HexFormat.of().parseHex(entry.salt()), key);
    return MessageDigest.isEqual(expected, actual) ? Optional.of(entry) : Optional.empty();
  }

  private static byte[] hash(byte[] salt, String key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(salt);
      return sha.digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Rereads the file when another process changed it, at most once a second. */
  private void refresh() {
    long now = System.nanoTime();
    if (now - checkedAt < RELOAD_EVERY_NANOS) {
      return;
    }
    checkedAt = now;
    if (!java.util.Objects.equals(version(), loadedVersion)) {
      entries = read();
    }
  }

  private FileTime version() {
    try {
      return Files.exists(file) ? Files.getLastModifiedTime(file) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private List<Entry> read() {
    loadedVersion = version();
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<Map<String, Object>> rows =
          JSON.readValue(file.toFile(), new TypeReference<List<Map<String, Object>>>() {});
      List<Entry> out = new ArrayList<>();
      for (Map<String, Object> row : rows) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (Object scope : (List<?>) row.get("scopes")) {
          scopes.add(Scope.parse(String.valueOf(scope)));
        }
        out.add(
            new Entry(
                (String) row.get("name"),
                (String) row.get("id"),
                scopes,
                Instant.parse((String) row.get("created")),
                (String) row.get("salt"),
                (String) row.get("hash")));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "key file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private void write(List<Entry> next) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Entry entry : next) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", entry.name());
      row.put("id", entry.id());
      row.put("scopes", new ArrayList<>(new TreeSet<>(entry.scopeNames())));
      row.put("created", entry.created().toString());
      row.put("salt", entry.salt());
      row.put("hash", entry.hash());
      rows.add(row);
    }
    Path temp = file.resolveSibling(FILE_NAME + ".tmp");
    try {
      Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(rows));
      ownerOnly(temp);
      try {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the key file " + file, e);
    }
    entries = List.copyOf(next);
    loadedVersion = version();
  }

  private static void ownerOnly(Path path) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException | FileSystemException notPosix) {
      // Windows and the like: the directory's own permissions apply.
    }
  }

  private static String quote(String value) {
    return value == null ? "null" : '"' + value + '"';
  }
}
