package io.hyperlens.audit.keys;

import io.hyperlens.audit.tlog.NoteKey;
import io.hyperlens.audit.tlog.Origins;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory of pinned audit log keys, kept apart from the logs (default {@code
 * ~/.hyperlens/trusted-keys}, or {@code $HYPERLENS_TRUST_STORE}): what a verifier trusts when it is
 * given no key. Pinning a log writes one file per log, named by its origin ({@link
 * io.hyperlens.audit.tlog.Origins#fileName}, so {@code audit.example.com/payments} is {@code
 * audit.example.com_2Fpayments.vkey}), holding the key as a note verifier key line and, as
 * comments, where and when it was pinned:
 *
 * <pre>{@code
 * # pinned 2026-12-06T10:15:00Z
 * # location /var/lib/hyperlens/audit
 * audit.hyperlens.local/5f3a9c01d2e4b7a8+3e9c1f0a+AWp3...
 * }</pre>
 *
 * <p>As with SSH's {@code known_hosts}, a pin says "this log is signed by this key": a log whose
 * origin, or whose location, was pinned to another key fails verification instead of passing
 * unanchored.
 *
 * <pre>{@code
 * TrustStore store = TrustStore.open(TrustStore.defaultDirectory());
 * store.pin(NoteKey.of(origin, publicKey), "/var/lib/hyperlens/audit");
 * }</pre>
 *
 * <p>Thread-safe for reading; pin from one process at a time.
 */
public final class TrustStore {
  /** The environment variable that moves {@link #defaultDirectory()}. */
  public static final String TRUST_STORE_ENV = "HYPERLENS_TRUST_STORE";

  /** One pinned key. */
  public record Pin(NoteKey key, String location, Path file) {}

  private final Path directory;

  private TrustStore(Path directory) {
    this.directory = directory;
  }

  /**
   * The store in {@code directory}; it need not exist until something is pinned.
   *
   * @throws IllegalArgumentException if {@code directory} is a file
   */
  public static TrustStore open(Path directory) {
    if (directory == null) {
      throw new IllegalArgumentException("directory must not be null");
    }
    if (Files.exists(directory) && !Files.isDirectory(directory)) {
      throw new IllegalArgumentException(
          "trust store " + directory + " is a file, not a directory");
    }
    return new TrustStore(directory);
  }

  /** {@code $HYPERLENS_TRUST_STORE} if set, else {@code ~/.hyperlens/trusted-keys}. */
  public static Path defaultDirectory() {
    String env = System.getenv(TRUST_STORE_ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".hyperlens", "trusted-keys");
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /**
   * Pins {@code key} for the log named by its name (the log's origin), noting {@code location}
   * (where the log was found, or null). A key already pinned is left as it is.
   *
   * @return the file the pin is in
   * @throws UncheckedIOException if the store cannot be written
   */
  public Path pin(NoteKey key, String location) {
    if (key == null) {
      throw new IllegalArgumentException("key must not be null");
    }
    if (location != null && (location.contains("\n") || location.contains("\r"))) {
      throw new IllegalArgumentException("location must be one line, got " + location);
    }
    AuditKeys.createOwnerOnlyDirectory(directory);
    Path file = directory.resolve(Origins.fileName(key.name()) + ".vkey");
    try {
      String existing = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
      for (Pin pin : read(file, existing)) {
        if (pin.key().sameKey(key)) {
          return file;
        }
      }
      StringBuilder out = new StringBuilder(existing);
      out.append("# pinned ").append(Instant.now()).append('\n');
      if (location != null) {
        out.append("# location ").append(location).append('\n');
      }
      out.append(key.vkey()).append('\n');
      Path temp = Files.createTempFile(directory, ".pin", ".tmp");
      try {
        Files.writeString(temp, out, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pin a key in " + directory, e);
    }
  }

  /**
   * Every pinned key, oldest pin first in each file.
   *
   * @throws IllegalArgumentException naming a file that holds something else than pins
   * @throws UncheckedIOException if the store cannot be read
   */
  public List<Pin> pins() {
    List<Pin> out = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return out;
    }
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file :
          files
              .filter(p -> p.getFileName().toString().endsWith(".vkey"))
              .sorted()
              .toArray(Path[]::new)) {
        String text;
        try {
          text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new IllegalArgumentException(
              "trust store file " + file + " cannot be read as text: " + e, e);
        }
        out.addAll(read(file, text));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read trust store " + directory, e);
    }
    return out;
  }

  /** The keys pinned for the log with {@code origin}, oldest first. */
  public List<Pin> pinsFor(String origin) {
    List<Pin> out = new ArrayList<>();
    for (Pin pin : pins()) {
      if (pin.key().name().equals(origin)) {
        out.add(pin);
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "trust store " + directory;
  }

  private static List<Pin> read(Path file, String text) {
    List<Pin> out = new ArrayList<>();
    String location = null;
    int number = 0;
    for (String line : text.split("\n")) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# location ")) {
        location = line.substring("# location ".length());
      } else if (!line.startsWith("#")) {
        try {
          out.add(new Pin(NoteKey.parse(line.trim()), location, file));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "trust store file " + file + " line " + number + ": " + e.getMessage(), e);
        }
        location = null;
      }
    }
    return out;
  }
}
