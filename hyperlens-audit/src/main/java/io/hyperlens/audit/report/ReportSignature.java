package io.hyperlens.audit.report;

import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.AuditSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.List;
import java.util.Optional;

/**
 * A detached Ed25519 signature of a report file, {@code <report>.sig}: the 64 raw signature bytes
 * over the file's bytes, which OpenSSL checks too:
 *
 * <pre>
 * openssl pkeyutl -verify -pubin -inkey audit.pub -rawin -in report.pdf -sigfile report.pdf.sig
 * </pre>
 *
 * <pre>{@code
 * report.save(Path.of("report.pdf"));
 * ReportSignature.sign(Path.of("report.pdf"), signer); // writes report.pdf.sig
 * Optional<PublicKey> by = ReportSignature.verify(Path.of("report.pdf"), List.of(publicKey));
 * }</pre>
 *
 * <p>Thread-safe: stateless.
 */
public final class ReportSignature {
  /** The signature file's suffix. */
  public static final String SUFFIX = ".sig";

  private ReportSignature() {}

  /** Where the signature of {@code report} goes. */
  public static Path signatureFile(Path report) {
    return report.resolveSibling(report.getFileName() + SUFFIX);
  }

  /**
   * Signs {@code report} with {@code signer} into {@link #signatureFile(Path)}, replacing it.
   *
   * @return the signature file
   * @throws UncheckedIOException if either file cannot be read or written
   */
  public static Path sign(Path report, AuditSigner signer) {
    if (report == null || signer == null) {
      throw new IllegalArgumentException("report and signer must not be null");
    }
    Path out = signatureFile(report);
    try {
      Files.write(out, signer.sign(Files.readAllBytes(report)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sign " + report, e);
    }
    return out;
  }

  /**
   * The key of {@code keys} whose signature {@code report}'s signature file holds, if any.
   *
   * @throws UncheckedIOException if either file cannot be read
   */
  public static Optional<PublicKey> verify(Path report, List<PublicKey> keys) {
    return verify(report, signatureFile(report), keys);
  }

  /** As {@link #verify(Path, List)} with the signature in {@code signatureFile}. */
  public static Optional<PublicKey> verify(Path report, Path signatureFile, List<PublicKey> keys) {
    if (report == null || signatureFile == null || keys == null) {
      throw new IllegalArgumentException("report, signatureFile and keys must not be null");
    }
    byte[] content;
    byte[] signature;
    try {
      content = Files.readAllBytes(report);
      signature = Files.readAllBytes(signatureFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + report + " or " + signatureFile, e);
    }
    for (PublicKey key : keys) {
      if (verifies(key, content, signature)) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }

  private static boolean verifies(PublicKey key, byte[] content, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(content);
      return verifier.verify(signature);
    } catch (SignatureException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot verify with " + AuditKeys.fingerprint(key), e);
    }
  }
}
