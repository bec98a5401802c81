package io.hyperlens.audit.keys;

import java.security.PrivateKey;

/** Lets tests reach a signer's private key. */
final class AuditKeysAccess {
  private AuditKeysAccess() {}

  static PrivateKey privateKey(AuditSigner signer) {
    return signer.privateKey();
  }
}
