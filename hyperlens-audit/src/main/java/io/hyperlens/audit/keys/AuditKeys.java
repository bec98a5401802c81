package io.hyperlens.audit.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 key files for the audit log, in PEM: the private key file holds the PKCS#8 {@code PRIVATE
 * KEY} and the X.509 {@code PUBLIC KEY} blocks and is created owner-only ({@code rw-------}, set as
 * the file is created, never loosened afterwards); {@code <file>.pub} holds the public key alone,
 * for verifiers. Both are what {@code openssl pkey} reads and writes.
 *
 * <pre>{@code
 * AuditSigner signer = AuditKeys.generateIn(AuditKeys.defaultKeyDirectory());
 * System.out.println(signer.fingerprint()); // SHA256:5f3a9c01...
 * }</pre>
 *
 * <p><b>Where keys live.</b> A private key never sits beside the log it signs: whoever can rewrite
 * the log could then re-sign it too. {@link #defaultKeyDirectory()} is {@code ~/.hyperlens/keys}
 * (or {@code $HYPERLENS_KEY_DIR}), created owner-only ({@code rwx------}); {@link
 * io.hyperlens.audit.AuditLog#open(Path)} generates its key there, named by its key id.
 *
 * <p><b>Names of a key.</b> Its fingerprint is {@code SHA256:} and the 64 hex digits of the SHA-256
 * of its X.509 encoding ({@code openssl pkey -pubin -in key.pub -outform DER | sha256sum} prints
 * the same digits); its key id is {@code ed25519:} and the first 16 of them. Both come from the
 * public key alone.
 */
public final class AuditKeys {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  /** The environment variable that moves {@link #defaultKeyDirectory()}. */
  public static final String KEY_DIR_ENV = "HYPERLENS_KEY_DIR";

  private static final Set<PosixFilePermission> OWNER_DIRECTORY =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);

  private AuditKeys() {}

  /** The system property that moves {@link #defaultKeyDirectory()}, before the environment. */
  public static final String KEY_DIR_PROPERTY = "hyperlens.keyDir";

  /**
   * The {@value #KEY_DIR_PROPERTY} system property if set, else {@code $HYPERLENS_KEY_DIR}, else
   * {@code ~/.hyperlens/keys}.
   */
  public static Path defaultKeyDirectory() {
    String property = System.getProperty(KEY_DIR_PROPERTY);
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    String env = System.getenv(KEY_DIR_ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".hyperlens", "keys");
  }

  /**
   * Generates a key pair in {@code keyDirectory} (created owner-only if missing), in {@code
   * audit-<16 hex of its fingerprint>.pem} and its {@code .pub}.
   *
   * @throws UncheckedIOException if the directory or the files cannot be written
   */
  public static AuditSigner generateIn(Path keyDirectory) {
    if (keyDirectory == null) {
      throw new IllegalArgumentException("keyDirectory must not be null");
    }
    createOwnerOnlyDirectory(keyDirectory);
    AuditSigner signer = AuditSigner.generate();
    write(signer, keyDirectory.resolve("audit-" + signer.keyId().substring(8) + ".pem"));
    return signer;
  }

  /**
   * The private keys held in {@code keyDirectory} (every {@code *.pem} with its {@code .pub}), for
   * finding the one that signs a log; none if the directory does not exist.
   *
   * @throws IllegalArgumentException if a key file there is open to others or holds no key
   * @throws UncheckedIOException if the directory cannot be read
   */
  public static List<AuditSigner> loadAll(Path keyDirectory) {
    List<AuditSigner> out = new ArrayList<>();
    if (keyDirectory == null || !Files.isDirectory(keyDirectory)) {
      return out;
    }
    try (java.util.stream.Stream<Path> files = Files.list(keyDirectory)) {
      for (Path file :
          files
              .filter(p -> p.getFileName().toString().endsWith(".pem"))
              .sorted()
              .toArray(Path[]::new)) {
        out.add(load(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list key directory " + keyDirectory, e);
    }
    return out;
  }

  /**
   * The public keys of the private keys in {@code keyDirectory} (read from their {@code .pub}
   * files), none if the directory does not exist.
   *
   * @throws UncheckedIOException if the directory cannot be read
   */
  public static List<PublicKey> publicKeysIn(Path keyDirectory) {
    List<PublicKey> out = new ArrayList<>();
    if (keyDirectory == null || !Files.isDirectory(keyDirectory)) {
      return out;
    }
    try (java.util.stream.Stream<Path> files = Files.list(keyDirectory)) {
      for (Path file :
          files
              .filter(p -> p.getFileName().toString().endsWith(".pem.pub"))
              .sorted()
              .toArray(Path[]::new)) {
        out.add(loadPublic(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list key directory " + keyDirectory, e);
    }
    return out;
  }

  /**
   * {@code SHA256:} and the 64 lowercase hex digits of the SHA-256 of {@code publicKey}'s X.509
   * encoding.
   */
  public static String fingerprint(PublicKey publicKey) {
    return "SHA256:" + HexFormat.of().formatHex(sha256(publicKey.getEncoded()));
  }

  /**
   * {@code fingerprint} in the form {@link #fingerprint(PublicKey)} prints, from {@code SHA256:}
   * and 64 hex digits in either case (the prefix may be left out).
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static String normalizeFingerprint(String fingerprint) {
    String hex = fingerprint == null ? "" : fingerprint.trim();
    if (hex.regionMatches(true, 0, "SHA256:", 0, 7)) {
      hex = hex.substring(7);
    }
    if (!hex.matches("[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException(
          "fingerprint must be SHA256: and 64 hex digits, got \"" + fingerprint + '"');
    }
    return "SHA256:" + hex.toLowerCase(java.util.Locale.ROOT);
  }

  static void createOwnerOnlyDirectory(Path directory) {
    try {
      if (Files.isDirectory(directory)) {
        return;
      }
      Path parent = directory.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      if (Files.getFileStore(parent).supportsFileAttributeView("posix")) {
        Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
      } else {
        Files.createDirectory(directory);
      }
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(directory)) {
        throw new UncheckedIOException("cannot create key directory " + directory, e);
      }
      // made by someone else meanwhile: fine
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create key directory " + directory, e);
    }
  }

  /**
   * Generates a key pair into {@code privateKeyFile} (owner-only) and {@code privateKeyFile.pub}.
   *
   * @throws IllegalArgumentException if either file exists: a key is never overwritten
   * @throws UncheckedIOException if the files cannot be written
   */
  public static AuditSigner generate(Path privateKeyFile) {
    if (privateKeyFile == null) {
      throw new IllegalArgumentException("privateKeyFile must not be null");
    }
    AuditSigner signer = AuditSigner.generate();
    write(signer, privateKeyFile);
    return signer;
  }

  private static void write(AuditSigner signer, Path privateKeyFile) {
    Path publicFile = publicKeyFile(privateKeyFile);
    if (Files.exists(publicFile)) {
      throw new IllegalArgumentException(
          "privateKeyFile's public key file " + publicFile + " exists; a key is never overwritten");
    }
    String pem =
        pem("PRIVATE KEY", signer.privateKey().getEncoded())
            + pem("PUBLIC KEY", signer.publicKey().getEncoded());
    try {
      if (privateKeyFile.getParent() != null) {
        Files.createDirectories(privateKeyFile.getParent());
      }
      writeNew(privateKeyFile, pem, ownerOnly(privateKeyFile));
      writeNew(publicFile, pem("PUBLIC KEY", signer.publicKey().getEncoded()));
    } catch (FileAlreadyExistsException e) {
      throw new IllegalArgumentException(
          "privateKeyFile " + privateKeyFile + " exists; a key is never overwritten", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write audit key " + privateKeyFile, e);
    }
  }

  /**
   * Loads the signer {@link #generate} wrote.
   *
   * @throws IllegalArgumentException if the file is readable or writable by anyone but its owner
   *     (on POSIX file systems), or holds no matching Ed25519 key pair
   * @throws UncheckedIOException if it cannot be read
   */
  public static AuditSigner load(Path privateKeyFile) {
    if (privateKeyFile == null) {
      throw new IllegalArgumentException("privateKeyFile must not be null");
    }
    try {
      if (Files.getFileStore(privateKeyFile).supportsFileAttributeView("posix")) {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(privateKeyFile);
        if (!OWNER_ONLY.containsAll(perms)) {
          throw new IllegalArgumentException(
              "privateKeyFile "
                  + privateKeyFile
                  + " is open to others ("
                  + PosixFilePermissions.toString(perms)
                  + "); run chmod 600 on it");
        }
      }
      String text = Files.readString(privateKeyFile, StandardCharsets.US_ASCII);
      KeyFactory factory = KeyFactory.getInstance(AuditSigner.ALGORITHM);
      PrivateKey priv =
          factory.generatePrivate(
              new PKCS8EncodedKeySpec(block(text, "PRIVATE KEY", privateKeyFile)));
      PublicKey pub =
          factory.generatePublic(new X509EncodedKeySpec(block(text, "PUBLIC KEY", privateKeyFile)));
      return AuditSigner.of(new KeyPair(pub, priv));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read audit key " + privateKeyFile, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "privateKeyFile " + privateKeyFile + " holds no Ed25519 key: " + e.getMessage(), e);
    }
  }

  /**
   * Loads a public key file: a PEM {@code PUBLIC KEY} block ({@code .pub}), or a note verifier key
   * line ({@code <name>+<id>+<base64>}, as a trust store keeps them).
   *
   * @throws IllegalArgumentException if it holds no Ed25519 public key
   * @throws UncheckedIOException if it cannot be read
   */
  public static PublicKey loadPublic(Path publicKeyFile) {
    if (publicKeyFile == null) {
      throw new IllegalArgumentException("publicKeyFile must not be null");
    }
    try {
      String text = Files.readString(publicKeyFile, StandardCharsets.US_ASCII);
      if (!text.contains("-----BEGIN")) {
        for (String line : text.split("\n")) {
          if (!line.isBlank() && !line.startsWith("#")) {
            try {
              return io.hyperlens.audit.tlog.NoteKey.parse(line.trim()).publicKey();
            } catch (IllegalArgumentException e) {
              throw new IllegalArgumentException(
                  "publicKeyFile "
                      + publicKeyFile
                      + " holds no Ed25519 public key: "
                      + e.getMessage(),
                  e);
            }
          }
        }
      }
      return KeyFactory.getInstance(AuditSigner.ALGORITHM)
          .generatePublic(new X509EncodedKeySpec(block(text, "PUBLIC KEY", publicKeyFile)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read public key " + publicKeyFile, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "publicKeyFile " + publicKeyFile + " holds no Ed25519 public key: " + e.getMessage(), e);
    }
  }

  /** Where {@link #generate} puts the public key of {@code privateKeyFile}. */
  public static Path publicKeyFile(Path privateKeyFile) {
    return privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
  }

  /** The id of {@code publicKey}: {@code ed25519:} and 16 hex digits of its SHA-256. */
  public static String keyId(PublicKey publicKey) {
    return "ed25519:" + HexFormat.of().formatHex(sha256(publicKey.getEncoded()), 0, 8);
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Whether {@code signature} is {@code publicKey}'s Ed25519 signature of {@code data}. */
  static boolean verify(PublicKey publicKey, byte[] data, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(AuditSigner.ALGORITHM);
      verifier.initVerify(publicKey);
      verifier.update(data);
      return verifier.verify(signature);
    } catch (java.security.SignatureException e) {
      return false; // malformed signature bytes: simply not valid
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot verify with " + keyId(publicKey), e);
    }
  }

  static String algorithm(Key key) {
    // The JDK names Ed25519 keys "EdDSA"; the parameter set tells Ed25519 from Ed448.
    if (key instanceof java.security.interfaces.EdECKey) {
      return ((java.security.interfaces.EdECKey) key).getParams().getName();
    }
    return key.getAlgorithm();
  }

  private static FileAttribute<?>[] ownerOnly(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
    }
    return new FileAttribute<?>[0];
  }

  /**
   * Writes {@code text} to a new {@code file} so that it either appears whole and on disk or not at
   * all: a temporary file (created with {@code attributes}, so never more open than they say) is
   * written and forced, then renamed into place, and the directory is forced.
   */
  private static void writeNew(Path file, String text, FileAttribute<?>... attributes)
      throws IOException {
    if (Files.exists(file)) {
      throw new FileAlreadyExistsException(file.toString());
    }
    Path dir = file.toAbsolutePath().getParent();
    Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", attributes);
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        out.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        out.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      // Not every file system lets a directory be opened to sync it; the file itself is synced.
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static byte[] block(String text, String type, Path file) {
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      if (m.group(1).equals(type)) {
        return Base64.getMimeDecoder().decode(m.group(2));
      }
    }
    throw new IllegalArgumentException(file + " holds no PEM " + type + " block");
  }
}
