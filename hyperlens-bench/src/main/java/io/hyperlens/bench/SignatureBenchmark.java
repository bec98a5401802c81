package io.hyperlens.bench;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Signing and verifying an audit checkpoint (a C2SP signed-note body of about 150 bytes) with
 * Ed25519: the JDK's provider, which the audit trail uses, beside BouncyCastle's lightweight {@code
 * Ed25519Signer}, the library a user would pick instead.
 */
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SignatureBenchmark {
  byte[] checkpoint;
  KeyPair jdkKeys;
  byte[] jdkSignature;
  Ed25519PrivateKeyParameters bcPrivate;
  Ed25519PublicKeyParameters bcPublic;
  byte[] bcSignature;

  @Setup
  public void setUp() throws Exception {
    checkpoint =
        ("hyperlens.example/audit\n1000000\nq2hMdXJ5ZW5zIGNoZWNrcG9pbnQgcm9vdCBoYXNoIGJhc2U2NA==\n"
                + "— hyperlens.example/audit AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/AbCdEfGh\n")
            .getBytes(StandardCharsets.UTF_8);
    jdkKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    jdkSignature = jdkSign();
    bcPrivate = new Ed25519PrivateKeyParameters(new SecureRandom());
    bcPublic = bcPrivate.generatePublicKey();
    bcSignature = bouncyCastleSign();
    auditSigner = io.hyperlens.audit.keys.AuditSigner.of(jdkKeys);
  }

  io.hyperlens.audit.keys.AuditSigner auditSigner;

  /** What the audit trail signs its checkpoints with now (BouncyCastle inside, the JDK's keys). */
  @Benchmark
  public byte[] auditSignerSign() {
    return auditSigner.sign(checkpoint);
  }

  @Benchmark
  public byte[] jdkSign() throws Exception {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(jdkKeys.getPrivate());
    signer.update(checkpoint);
    return signer.sign();
  }

  @Benchmark
  public boolean jdkVerify() throws Exception {
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(jdkKeys.getPublic());
    verifier.update(checkpoint);
    return verifier.verify(jdkSignature);
  }

  @Benchmark
  public byte[] bouncyCastleSign() {
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, bcPrivate);
    signer.update(checkpoint, 0, checkpoint.length);
    return signer.generateSignature();
  }

  @Benchmark
  public boolean bouncyCastleVerify() {
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, bcPublic);
    verifier.update(checkpoint, 0, checkpoint.length);
    return verifier.verifySignature(bcSignature);
  }
}
