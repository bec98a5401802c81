package io.hyperlens.audit.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints are signed with BouncyCastle's Ed25519 signer: the very bytes the JDK's provider
 * gives (Ed25519 is deterministic), so trails signed before and after the switch verify alike.
 */
class AuditSignerTest {
  @TempDir Path keys;

  @Test
  void bouncyCastleSignsTheBytesTheJdkSignsAndTheJdkVerifiesThem() throws Exception {
    Random random = new Random(20261206);
    for (int k = 0; k < 20; k++) {
      AuditSigner signer =
          k % 2 == 0
              ? AuditSigner.generate()
              : AuditKeys.generate(keys.resolve("key-" + k + ".pem"));
      for (int n : new int[] {0, 1, 150, 4_096}) {
        byte[] data = new byte[n];
        random.nextBytes(data);
        byte[] signature = signer.sign(data);
        assertThat(signature).hasSize(64).isEqualTo(signer.signWithJdk(data));
        assertThat(AuditKeys.verify(signer.publicKey(), data, signature)).isTrue();
      }
    }
    AuditSigner reloaded = AuditKeys.load(keys.resolve("key-1.pem"));
    byte[] note = "hyperlens checkpoint\n42\n".getBytes(StandardCharsets.UTF_8);
    assertThat(reloaded.sign(note)).isEqualTo(reloaded.signWithJdk(note));
  }
}
