package io.hyperlens.audit.tlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;

/**
 * {@link NoteKey}'s signature check, which runs BouncyCastle where that is safe ({@link
 * FastEd25519}), gives the JDK 17 provider's verdict on every input: the RFC 8032 vectors,
 * corrupted signatures, non-reduced S, non-canonical encodings, and keys and commitments with a
 * small-order component (built here with plain affine Edwards arithmetic on {@link BigInteger},
 * independent of both libraries).
 */
class NoteKeyVerificationTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] MESSAGE =
      "example.com/log\n1000\nroot\n".getBytes(StandardCharsets.UTF_8);

  /** RFC 8032 section 7.1, tests 1 to 3: public key, message, signature. */
  private static final String[][] RFC_8032 = {
    {
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
      "",
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
          + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    },
    {
      "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
      "72",
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
          + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
    },
    {
      "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
      "af82",
      "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
          + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
    }
  };

  private static NoteKey key(byte[] raw) {
    return NoteKey.of("example.com/log", NoteKey.fromRaw(raw));
  }

  /** The combined verdict equals the JDK's; returns it. */
  private static boolean sameAsJdk(NoteKey key, byte[] data, byte[] signature) {
    boolean jdk = key.jdkVerifies(data, signature);
    assertThat(key.verify(data, signature)).isEqualTo(jdk);
    return jdk;
  }

  @Test
  void rfc8032VectorsVerifyOnTheFastPathAndOnTheJdk() {
    for (String[] v : RFC_8032) {
      byte[] raw = HEX.parseHex(v[0]);
      byte[] message = HEX.parseHex(v[1]);
      byte[] signature = HEX.parseHex(v[2]);
      assertThat(FastEd25519.verifies(FastEd25519.key(raw), message, signature)).isTrue();
      assertThat(sameAsJdk(key(raw), message, signature)).isTrue();
      byte[] other = (v[1] + "00").getBytes(StandardCharsets.UTF_8);
      assertThat(sameAsJdk(key(raw), other, signature)).isFalse();
    }
  }

  @Test
  void everySingleBitFlipIsRefusedAsTheJdkRefusesIt() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
    for (int k = 0; k < 2; k++) {
      var pair = generator.generateKeyPair();
      NoteKey key = NoteKey.of("example.com/log", pair.getPublic());
      byte[] signature = jdkSign(pair.getPrivate(), MESSAGE);
      assertThat(
              FastEd25519.verifies(
                  FastEd25519.key(NoteKey.raw(pair.getPublic())), MESSAGE, signature))
          .isTrue();
      assertThat(sameAsJdk(key, MESSAGE, signature)).isTrue();
      for (int bit = 0; bit < 512; bit += 5) {
        byte[] flipped = signature.clone();
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        assertThat(sameAsJdk(key, MESSAGE, flipped)).isFalse();
      }
    }
  }

  @Test
  void malformedSignaturesAreRefusedAsTheJdkRefusesThem() throws Exception {
    var pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    NoteKey key = NoteKey.of("example.com/log", pair.getPublic());
    byte[] signature = jdkSign(pair.getPrivate(), MESSAGE);
    assertThat(sameAsJdk(key, MESSAGE, new byte[0])).isFalse();
    assertThat(sameAsJdk(key, MESSAGE, java.util.Arrays.copyOf(signature, 63))).isFalse();
    // The JDK 17 provider accepts a valid signature with a zero byte appended; that verdict is
    // kept.
    byte[] padded = java.util.Arrays.copyOf(signature, 65);
    assertThat(
            FastEd25519.verifies(FastEd25519.key(NoteKey.raw(pair.getPublic())), MESSAGE, padded))
        .isFalse();
    assertThat(sameAsJdk(key, MESSAGE, padded)).isTrue();
    assertThat(sameAsJdk(key, MESSAGE, new byte[64])).isFalse();
    byte[] allOnes = new byte[64];
    java.util.Arrays.fill(allOnes, (byte) 0xff);
    assertThat(sameAsJdk(key, MESSAGE, allOnes)).isFalse();
  }

  @Test
  void anSThatIsNotReducedIsRefusedLikeTheJdkDoes() throws Exception {
    var pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    NoteKey key = NoteKey.of("example.com/log", pair.getPublic());
    byte[] signature = jdkSign(pair.getPrivate(), MESSAGE);
    byte[] plusL = withS(signature, scalar(signature).add(Curve.L));
    assertThat(FastEd25519.reduced(plusL)).isFalse();
    assertThat(FastEd25519.verifies(FastEd25519.key(NoteKey.raw(pair.getPublic())), MESSAGE, plusL))
        .isFalse();
    assertThat(sameAsJdk(key, MESSAGE, plusL)).isFalse();
  }

  @Test
  void aCommitmentWithATorsionComponentIsTheJdksCallNotBouncyCastles() {
    // R = rB + T (T of order 8) and S = r + k*a: [8]([S]B - [k]A - R) = 0 holds (a cofactored
    // check accepts), [S]B - [k]A = R does not (the JDK refuses).
    Random random = new Random(7);
    Curve.Point t = Curve.torsion8(random);
    int bareAccepted = 0;
    for (int i = 0; i < 8; i++) {
      BigInteger a = new BigInteger(250, random);
      byte[] raw = Curve.B.times(a).encode();
      BigInteger r = new BigInteger(250, random);
      byte[] encodedR = Curve.B.times(r).add(t).encode();
      BigInteger k = Curve.challenge(encodedR, raw, MESSAGE);
      byte[] signature = signature(encodedR, r.add(k.multiply(a)).mod(Curve.L));
      if (Ed25519.verify(signature, 0, raw, 0, MESSAGE, 0, MESSAGE.length)) {
        bareAccepted++;
      }
      assertThat(FastEd25519.verifies(FastEd25519.key(raw), MESSAGE, signature)).isFalse();
      assertThat(sameAsJdk(key(raw), MESSAGE, signature)).isFalse();
    }
    // BouncyCastle alone accepts some of these: the guard is what keeps the JDK's verdict.
    assertThat(bareAccepted).isPositive();
  }

  @Test
  void aKeyWithATorsionComponentIsLeftToTheJdk() {
    Random random = new Random(11);
    Curve.Point t = Curve.torsion8(random);
    BigInteger a = new BigInteger(250, random);
    byte[] raw = Curve.B.times(a).add(t).encode();
    assertThat(FastEd25519.key(raw)).isNull();
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 24; i++) {
      BigInteger r = new BigInteger(250, random);
      byte[] encodedR = Curve.B.times(r).encode();
      BigInteger k = Curve.challenge(encodedR, raw, MESSAGE);
      byte[] signature = signature(encodedR, r.add(k.multiply(a)).mod(Curve.L));
      // The JDK accepts exactly when [k]T = 0, that is k divisible by 8.
      boolean jdk = sameAsJdk(key(raw), MESSAGE, signature);
      assertThat(jdk).isEqualTo(k.mod(BigInteger.valueOf(8)).signum() == 0);
      if (jdk) {
        accepted++;
      } else {
        refused++;
      }
    }
    assertThat(refused).isPositive();
    assertThat(accepted + refused).isEqualTo(24);
  }

  @Test
  void smallOrderKeysAndCommitmentsAreTheJdksCall() {
    // S = 0, A and R of small order: valid by the equation when R = -[k]A.
    Random random = new Random(3);
    Curve.Point t = Curve.torsion8(random);
    byte[] raw = t.encode();
    assertThat(FastEd25519.key(raw)).isNull();
    int accepted = 0;
    for (int m = 0; m < 16; m++) {
      byte[] message = ("note " + m).getBytes(StandardCharsets.UTF_8);
      for (int j = 0; j < 8; j++) {
        Curve.Point r = t.times(BigInteger.valueOf(j));
        BigInteger k = Curve.challenge(r.encode(), raw, message);
        byte[] signature = signature(r.encode(), BigInteger.ZERO);
        boolean jdk = sameAsJdk(key(raw), message, signature);
        // [0]B - [k]A = R exactly when R = -[k mod 8]T
        assertThat(jdk).isEqualTo(r.equals(t.times(k.mod(BigInteger.valueOf(8))).negate()));
        assertThat(FastEd25519.verifies(FastEd25519.key(raw), message, signature)).isFalse();
        if (jdk) {
          accepted++;
        }
      }
    }
    // k depends on R, so about one R in eight satisfies it: both outcomes are exercised
    assertThat(accepted).isBetween(1, 127);
  }

  @Test
  void nonCanonicalEncodingsAreTheJdksCall() {
    // y = 1 (the neutral point) written as y + p, which fits in 255 bits.
    byte[] nonCanonical = Curve.encodeRaw(BigInteger.ONE.add(Curve.P), false);
    assertThat(FastEd25519.key(nonCanonical)).isNull();
    Random random = new Random(5);
    BigInteger a = new BigInteger(250, random);
    byte[] raw = Curve.B.times(a).encode();
    byte[] signature = signature(nonCanonical, BigInteger.ZERO);
    assertThat(FastEd25519.verifies(FastEd25519.key(raw), MESSAGE, signature)).isFalse();
    assertThat(sameAsJdk(key(raw), MESSAGE, signature)).isFalse();
  }

  private static byte[] jdkSign(PrivateKey key, byte[] data) throws Exception {
    Signature s = Signature.getInstance("Ed25519");
    s.initSign(key);
    s.update(data);
    return s.sign();
  }

  private static BigInteger scalar(byte[] signature) {
    byte[] bigEndian = new byte[33];
    for (int i = 0; i < 32; i++) {
      bigEndian[32 - i] = signature[32 + i];
    }
    return new BigInteger(bigEndian);
  }

  private static byte[] withS(byte[] signature, BigInteger s) {
    byte[] out = signature.clone();
    byte[] le = Curve.littleEndian(s);
    System.arraycopy(le, 0, out, 32, 32);
    return out;
  }

  private static byte[] signature(byte[] encodedR, BigInteger s) {
    byte[] out = new byte[64];
    System.arraycopy(encodedR, 0, out, 0, 32);
    System.arraycopy(Curve.littleEndian(s), 0, out, 32, 32);
    return out;
  }

  /** Edwards25519 in affine coordinates on BigInteger: slow, short, independent. */
  static final class Curve {
    static final BigInteger P = BigInteger.ONE.shiftLeft(255).subtract(BigInteger.valueOf(19));
    static final BigInteger L = FastEd25519.L;
    static final BigInteger D =
        BigInteger.valueOf(-121665).multiply(BigInteger.valueOf(121666).modInverse(P)).mod(P);
    static final BigInteger SQRT_M1 =
        BigInteger.TWO.modPow(P.subtract(BigInteger.ONE).shiftRight(2), P);
    static final Point ZERO = new Point(BigInteger.ZERO, BigInteger.ONE);
    static final Point B =
        decode(BigInteger.valueOf(4).multiply(BigInteger.valueOf(5).modInverse(P)).mod(P), false);

    record Point(BigInteger x, BigInteger y) {
      Point add(Point o) {
        BigInteger xx = x.multiply(o.x).mod(P);
        BigInteger yy = y.multiply(o.y).mod(P);
        BigInteger dxy = D.multiply(xx).multiply(yy).mod(P);
        BigInteger x3 =
            x.multiply(o.y).add(y.multiply(o.x)).multiply(BigInteger.ONE.add(dxy).modInverse(P));
        BigInteger y3 = yy.add(xx).multiply(BigInteger.ONE.subtract(dxy).mod(P).modInverse(P));
        return new Point(x3.mod(P), y3.mod(P));
      }

      Point negate() {
        return new Point(P.subtract(x).mod(P), y);
      }

      Point times(BigInteger n) {
        Point result = ZERO;
        for (int i = n.bitLength() - 1; i >= 0; i--) {
          result = result.add(result);
          if (n.testBit(i)) {
            result = result.add(this);
          }
        }
        return result;
      }

      byte[] encode() {
        return encodeRaw(y, x.testBit(0));
      }
    }

    static byte[] encodeRaw(BigInteger y, boolean xOdd) {
      byte[] out = littleEndian(y);
      if (xOdd) {
        out[31] |= (byte) 0x80;
      }
      return out;
    }

    static byte[] littleEndian(BigInteger n) {
      byte[] out = new byte[32];
      for (int i = 0; i < 32; i++) {
        out[i] = n.shiftRight(8 * i).byteValue();
      }
      return out;
    }

    /** The point with this y and x of the given parity, or null if there is none. */
    static Point decode(BigInteger y, boolean xOdd) {
      BigInteger u = y.multiply(y).subtract(BigInteger.ONE).mod(P);
      BigInteger v = D.multiply(y).multiply(y).add(BigInteger.ONE).mod(P);
      BigInteger x2 = u.multiply(v.modInverse(P)).mod(P);
      BigInteger x = x2.modPow(P.add(BigInteger.valueOf(3)).shiftRight(3), P);
      if (!x.multiply(x).mod(P).equals(x2)) {
        x = x.multiply(SQRT_M1).mod(P);
      }
      if (!x.multiply(x).mod(P).equals(x2)) {
        return null;
      }
      if (x.testBit(0) != xOdd) {
        x = P.subtract(x).mod(P);
      }
      return new Point(x, y);
    }

    /** A point of order exactly 8: [L] of a random point, kept when [4] of it is not neutral. */
    static Point torsion8(Random random) {
      while (true) {
        Point p = decode(new BigInteger(254, random), random.nextBoolean());
        if (p == null) {
          continue;
        }
        Point t = p.times(L);
        if (!t.times(BigInteger.valueOf(4)).equals(ZERO)) {
          return t;
        }
      }
    }

    /** {@code SHA-512(R || A || M) mod L}. */
    static BigInteger challenge(byte[] r, byte[] a, byte[] message) {
      try {
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        sha512.update(r);
        sha512.update(a);
        byte[] h = sha512.digest(message);
        byte[] bigEndian = new byte[65];
        for (int i = 0; i < 64; i++) {
          bigEndian[64 - i] = h[i];
        }
        return new BigInteger(bigEndian).mod(L);
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
