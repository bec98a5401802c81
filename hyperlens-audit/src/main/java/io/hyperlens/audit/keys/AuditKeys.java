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
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
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
 * AuditSigner signer = AuditKeys.generate(Path.of("keys/audit-2026.pem"));
 * TrustedKeys verifiers = TrustedKeys.load(Path.of("keys/audit-2026.pem.pub"));
 * }</pre>
 *
 * <p>A key id is {@code ed25519:} and the first 16 hex digits of the SHA-256 of the public key's
 * X.509 encoding: a verifier computes it from the public key alone, so nothing needs to be kept
 * beside the key to match checkpoints to it.
 */
public final class AuditKeys {
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private AuditKeys() {}

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
    return signer;
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
   * Loads a public key file ({@code .pub}, or any PEM {@code PUBLIC KEY} block).
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
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
      return "ed25519:" + HexFormat.of().formatHex(digest, 0, 8);
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
