package io.hyperlens.audit.keys;

import io.hyperlens.audit.tlog.NoteKey;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * What a verifier trusts an audit log's keys by: something the user holds, never anything found in
 * the log's directory. A log names its first key in its genesis checkpoint and every later key in a
 * rotation signed by the one before, so trusting any key of that chain vouches for the log; the
 * anchor says whether it does.
 *
 * <ul>
 *   <li>{@link #key(PublicKey)} / {@link #keyFile(Path)}: a public key you were given ({@code --key
 *       FILE}, PEM or a verifier key line);
 *   <li>{@link #fingerprint(String)}: {@code SHA256:<hex>} of the key, read out over another
 *       channel ({@code --fingerprint});
 *   <li>{@link #trustStore(Path)}: the keys pinned in a {@link TrustStore} ({@code --trust-store},
 *       default {@code ~/.hyperlens/trusted-keys});
 *   <li>{@link #heldKeys(Path)}: the keys whose private halves are in a key directory, for the
 *       writer of a log;
 *   <li>{@link #none()}: nothing, so a log can at best be {@code UNANCHORED}.
 * </ul>
 *
 * <pre>{@code
 * TrustAnchor anchor = TrustAnchor.fingerprint("SHA256:5f3a9c01...");
 * try (JsonLinesAuditStore store = JsonLinesAuditStore.openReadOnly(Path.of("audit/audit.jsonl"))) {
 *   VerificationReport report = AuditVerifier.verify(store, anchor);
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe; a trust store or key directory is read when a log is checked.
 */
public final class TrustAnchor {
  /** What an anchor says of a log's keys. */
  public enum Status {
    /** The anchor trusts a key of the log's chain. */
    TRUSTED,
    /** The anchor names this log (its key, origin or location) but none of its keys. */
    MISMATCH,
    /** The anchor says nothing of this log. */
    UNKNOWN
  }

  /**
   * The anchor's answer.
   *
   * @param status trusted, mismatch or unknown
   * @param fingerprint the fingerprint of the key trusted (or pinned, for a mismatch), or null
   * @param detail one sentence for a person: what was trusted, and how it was pinned
   */
  public record Check(Status status, String fingerprint, String detail) {}

  /** Decides for one log. */
  @FunctionalInterface
  private interface Rule {
    Check check(String origin, List<NoteKey> chain, String location);
  }

  /** The public keys an anchor holds for a log's origin. */
  @FunctionalInterface
  private interface Keys {
    List<PublicKey> forOrigin(String origin);
  }

  private final String description;
  private final Rule rule;
  private final Keys keys;

  private TrustAnchor(String description, Rule rule, Keys keys) {
    this.description = description;
    this.rule = rule;
    this.keys = keys;
  }

  /** No anchor: every log is at best unanchored. */
  public static TrustAnchor none() {
    return new TrustAnchor(
        "no anchor",
        (origin, chain, location) -> new Check(Status.UNKNOWN, null, "no anchor"),
        origin -> List.of());
  }

  /** Trusts exactly {@code publicKey}. */
  public static TrustAnchor key(PublicKey publicKey) {
    if (publicKey == null) {
      throw new IllegalArgumentException("publicKey must not be null");
    }
    return pinned(AuditKeys.fingerprint(publicKey), "the key given", List.of(publicKey));
  }

  /**
   * Trusts the public key in {@code file} (PEM {@code PUBLIC KEY}, or a verifier key line).
   *
   * @throws IllegalArgumentException if it holds no Ed25519 public key
   * @throws java.io.UncheckedIOException if it cannot be read
   */
  public static TrustAnchor keyFile(Path file) {
    PublicKey key = AuditKeys.loadPublic(file);
    return pinned(AuditKeys.fingerprint(key), "key file " + file, List.of(key));
  }

  /**
   * Trusts the key with {@code fingerprint}, {@code SHA256:} and 64 hex digits.
   *
   * @throws IllegalArgumentException naming the value if it is not one
   */
  public static TrustAnchor fingerprint(String fingerprint) {
    String normalized = AuditKeys.normalizeFingerprint(fingerprint);
    return pinned(normalized, "fingerprint " + normalized, List.of());
  }

  /** Trusts the keys pinned in the {@link TrustStore} in {@code directory}. */
  public static TrustAnchor trustStore(Path directory) {
    TrustStore store = TrustStore.open(directory);
    return new TrustAnchor(
        "trust store " + directory,
        (origin, chain, location) -> {
          List<TrustStore.Pin> pins = store.pins();
          // A pin names this log by its origin or by where it is; each way it is named must be
          // satisfied by a key of its chain, so a log (even one pinned elsewhere) copied over a
          // pinned one fails.
          List<TrustStore.Pin> byOrigin = new ArrayList<>();
          List<TrustStore.Pin> byLocation = new ArrayList<>();
          for (TrustStore.Pin pin : pins) {
            if (pin.key().name().equals(origin)) {
              byOrigin.add(pin);
            }
            if (location != null && location.equals(pin.location())) {
              byLocation.add(pin);
            }
          }
          for (List<TrustStore.Pin> naming : List.of(byOrigin, byLocation)) {
            if (!naming.isEmpty() && signing(naming, chain) == null) {
              TrustStore.Pin pin = naming.get(0);
              return new Check(
                  Status.MISMATCH,
                  fingerprint(pin.key()),
                  "trust store "
                      + directory
                      + " pins "
                      + (naming == byOrigin ? "log " + origin : "the log at " + location)
                      + " to key "
                      + fingerprint(pin.key())
                      + ", which does not sign this log");
            }
          }
          NoteKey trusted = signing(pins, chain);
          if (trusted != null) {
            return new Check(
                Status.TRUSTED,
                fingerprint(trusted),
                "pinned for " + origin + " in trust store " + directory);
          }
          return new Check(
              Status.UNKNOWN, null, "nothing in trust store " + directory + " names this log");
        },
        origin -> {
          List<PublicKey> out = new ArrayList<>();
          for (TrustStore.Pin pin : store.pinsFor(origin)) {
            out.add(pin.key().publicKey());
          }
          return out;
        });
  }

  /** {@link #trustStore(Path)} at {@link TrustStore#defaultDirectory()}. */
  public static TrustAnchor defaultTrustStore() {
    return trustStore(TrustStore.defaultDirectory());
  }

  /**
   * Trusts the keys whose private halves are in {@code keyDirectory}: a log's writer holds its key,
   * so it can vouch for what that key signed.
   */
  public static TrustAnchor heldKeys(Path keyDirectory) {
    if (keyDirectory == null) {
      throw new IllegalArgumentException("keyDirectory must not be null");
    }
    return new TrustAnchor(
        "key directory " + keyDirectory,
        (origin, chain, location) -> {
          List<String> held = new ArrayList<>();
          for (PublicKey key : AuditKeys.publicKeysIn(keyDirectory)) {
            held.add(AuditKeys.fingerprint(key));
          }
          for (NoteKey key : chain) {
            if (held.contains(fingerprint(key))) {
              return new Check(
                  Status.TRUSTED, fingerprint(key), "held in key directory " + keyDirectory);
            }
          }
          return new Check(Status.UNKNOWN, null, "no key of this log is held in " + keyDirectory);
        },
        origin -> AuditKeys.publicKeysIn(keyDirectory));
  }

  /** Trusts exactly the signers' keys, which are in this process's hands. */
  public static TrustAnchor signers(List<AuditSigner> signers) {
    List<String> held = new ArrayList<>();
    List<PublicKey> publicKeys = new ArrayList<>();
    for (AuditSigner signer : signers) {
      held.add(signer.fingerprint());
      publicKeys.add(signer.publicKey());
    }
    return new TrustAnchor(
        "the log's signing keys",
        (origin, chain, location) -> {
          for (NoteKey key : chain) {
            if (held.contains(fingerprint(key))) {
              return new Check(Status.TRUSTED, fingerprint(key), "the log's own signing key");
            }
          }
          return new Check(Status.UNKNOWN, null, "the log is not signed by its writer's keys");
        },
        origin -> List.copyOf(publicKeys));
  }

  /**
   * What this anchor says of a log with {@code origin} whose keys, first to current, are {@code
   * chain}, found at {@code location} (a directory or URL; may be null).
   */
  public Check check(String origin, List<NoteKey> chain, String location) {
    if (chain == null || chain.isEmpty()) {
      return new Check(Status.UNKNOWN, null, "the log names no key");
    }
    return rule.check(origin, List.copyOf(chain), location);
  }

  /**
   * The public keys this anchor holds for the log with {@code origin}, to check a signature where
   * no key chain comes with it (a receipt); empty for a fingerprint, which holds no key.
   */
  public List<PublicKey> keysFor(String origin) {
    return List.copyOf(keys.forOrigin(origin));
  }

  /** What the anchor is, for a person ("fingerprint SHA256:...", "trust store ~/..."). */
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return "TrustAnchor[" + description + "]";
  }

  private static TrustAnchor pinned(String fingerprint, String how, List<PublicKey> held) {
    return new TrustAnchor(
        how,
        (origin, chain, location) -> {
          for (NoteKey key : chain) {
            if (fingerprint(key).equals(fingerprint)) {
              return new Check(Status.TRUSTED, fingerprint, "pinned by " + how);
            }
          }
          return new Check(
              Status.MISMATCH,
              fingerprint,
              "the log is signed by "
                  + fingerprint(chain.get(chain.size() - 1))
                  + (chain.size() > 1 ? " (and " + (chain.size() - 1) + " earlier keys)" : "")
                  + ", not by "
                  + fingerprint
                  + " ("
                  + how
                  + ")");
        },
        origin -> held);
  }

  /** The first key of {@code chain} one of {@code pins} holds, or null. */
  private static NoteKey signing(List<TrustStore.Pin> pins, List<NoteKey> chain) {
    for (TrustStore.Pin pin : pins) {
      for (NoteKey key : chain) {
        if (pin.key().sameKey(key)) {
          return key;
        }
      }
    }
    return null;
  }

  private static String fingerprint(NoteKey key) {
    return AuditKeys.fingerprint(key.publicKey());
  }
}
