package io.hyperlens.audit.report;

import io.hyperlens.audit.keys.AuditKeys;
import io.hyperlens.audit.keys.AuditSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * A detached Ed25519 signature of a report file, {@code <report>.sig}: the 64 raw signature bytes
 * over {@value #CONTEXT_TEXT} followed by the file's bytes. The fixed first line keeps a report
 * signature from ever passing for another signature of the same key (a checkpoint note starts with
 * the log's origin, which holds no space) and the other way round. OpenSSL checks it too:
 *
 * <pre>
 * (printf 'hyperlens report signature v1\n'; cat report.pdf) &gt; signed
 * openssl pkeyutl -verify -pubin -inkey audit.pub -rawin -in signed -sigfile report.pdf.sig
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

  /** What precedes the report's bytes in what is signed. */
  public static final String CONTEXT_TEXT = "hyperlens report signature v1\n";

  private static final byte[] CONTEXT = CONTEXT_TEXT.getBytes(StandardCharsets.US_ASCII);

  private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[0-9a-f]{64}");

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
      Files.write(out, signer.sign(signed(Files.readAllBytes(report))));
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
      content = signed(Files.readAllBytes(report));
      signature = Files.readAllBytes(signatureFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + report + " or " + signatureFile, e);
    }
    if (signature.length != 64) {
      throw new IllegalArgumentException(
          signatureFile
              + " is not an Ed25519 signature (64 bytes), it holds "
              + signature.length
              + " bytes");
    }
    for (PublicKey key : keys) {
      if (verifies(key, content, signature)) {
        return Optional.of(key);
      }
    }
    return Optional.empty();
  }

  /**
   * The key fingerprints ({@code SHA256:<hex>}) {@code report} names: the log's keys and the
   * anchor's, read from the PDF's text or from a CSV or JSON file.
   *
   * @throws UncheckedIOException if the report cannot be read
   */
  public static Set<String> namedKeys(Path report) {
    String text;
    try {
      byte[] bytes = Files.readAllBytes(report);
      if (bytes.length > 4 && new String(bytes, 0, 5, StandardCharsets.US_ASCII).equals("%PDF-")) {
        try (PDDocument doc = Loader.loadPDF(bytes)) {
          text = new PDFTextStripper().getText(doc);
        }
      } else {
        text = new String(bytes, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + report, e);
    }
    // a table cell may wrap a fingerprint over two lines
    Matcher m = FINGERPRINT.matcher(text.replaceAll("\\s+", ""));
    Set<String> out = new LinkedHashSet<>();
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  private static byte[] signed(byte[] content) {
    byte[] out = Arrays.copyOf(CONTEXT, CONTEXT.length + content.length);
    System.arraycopy(content, 0, out, CONTEXT.length, content.length);
    return out;
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
