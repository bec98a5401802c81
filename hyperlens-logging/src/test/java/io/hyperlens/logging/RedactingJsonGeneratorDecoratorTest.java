package io.hyperlens.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.logstash.logback.decorate.JsonGeneratorDecorator;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;
import org.junit.jupiter.api.Test;

/**
 * Every way a value reaches the generator is read: the same line as the encoder's own masking
 * decorator with {@link SecretMasker} gives, and untouched JSON when there is no secret.
 */
class RedactingJsonGeneratorDecoratorTest {
  private static final String KEY = "sk-proj-4fG7hJ2kL9mN3pQ8rS1tU6vW0xY5zA2bC7dE";
  private static final String CARD = "4111111111111111";
  private static final ObjectMapper JSON = new ObjectMapper();

  @FunctionalInterface
  private interface Writes {
    void write(JsonGenerator generator) throws IOException;
  }

  private static String write(JsonGeneratorDecorator decorator, Writes writes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonGenerator plain = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8);
    try (JsonGenerator generator = decorator == null ? plain : decorator.decorate(plain)) {
      generator.writeStartObject();
      writes.write(generator);
      generator.writeEndObject();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static MaskingJsonGeneratorDecorator masking() {
    MaskingJsonGeneratorDecorator masking = new MaskingJsonGeneratorDecorator();
    masking.addValueMasker(new SecretMasker());
    masking.start();
    return masking;
  }

  private static Writes everyWay(String text, long number) {
    return generator -> {
      generator.writeStringField("string", text);
      char[] chars = ("x " + text).toCharArray();
      generator.writeFieldName("chars");
      generator.writeString(chars, 2, chars.length - 2);
      generator.writeFieldName("serializable");
      generator.writeString(new SerializedString(text));
      generator.writeFieldName("reader");
      generator.writeString(new StringReader(text + " tail"), text.length());
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      generator.writeFieldName("utf8");
      generator.writeUTF8String(utf8, 0, utf8.length);
      generator.writeFieldName("array");
      generator.writeArray(new String[] {"skip", text, "ok"}, 1, 2);
      generator.writeObjectField("map", Map.of("inner", text));
      generator.writeObjectField("list", List.of(text));
      generator.writeFieldName("tree");
      generator.writeTree(JSON.createObjectNode().put("node", text));
      generator.writeNumberField("long", number);
      generator.writeFieldName("big");
      generator.writeNumber(BigInteger.valueOf(number));
      generator.writeFieldName("password");
      generator.writeString("plain words");
      generator.writeNumberField("token", 123456);
      generator.writeNumberField("api_key", 42L);
      generator.writeNumberField("secret", 1.5);
      generator.writeNumberField("client_secret", (short) 1234);
      generator.writeNumberField("access_token", 2.5f);
      generator.writeNumberField("pwd", new java.math.BigDecimal("3.25"));
      generator.writeFieldName("cards");
      generator.writeArray(new long[] {number, 7L}, 0, 2);
      generator.writeFieldName("ints");
      generator.writeArray(new int[] {1, 2}, 0, 2);
      generator.writeFieldName("doubles");
      generator.writeArray(new double[] {0.5}, 0, 1);
      generator.writeObjectField("boxed", new long[] {number});
    };
  }

  @Test
  void everyValuePathIsRedactedAsTheMaskingDecoratorDoes() throws IOException {
    Writes writes = everyWay("key " + KEY, Long.parseLong(CARD));

    String redacted = write(new RedactingJsonGeneratorDecorator(), writes);

    assertThat(redacted).doesNotContain(KEY).doesNotContain(CARD).doesNotContain("plain words");
    // The encoder's masking generator (8.1) lets a Reader's text and a String[] through as they
    // are; otherwise the two lines are the same.
    String masked = write(masking(), writes);
    assertThat(masked).contains("\"reader\":\"key " + KEY).contains("[\"key " + KEY);
    assertThat(redacted)
        .isEqualTo(
            masked
                .replace("\"reader\":\"key " + KEY, "\"reader\":\"key [REDACTED:openai_key]")
                .replace("[\"key " + KEY, "[\"key [REDACTED:openai_key]"));
    assertThat(JSON.readTree(redacted).get("array").toString())
        .isEqualTo("[\"key [REDACTED:openai_key]\",\"ok\"]");
    assertThat(JSON.readTree(redacted).get("long").asText()).isEqualTo("[REDACTED:credit_card]");
    for (String key :
        List.of("token", "api_key", "secret", "client_secret", "access_token", "pwd")) {
      assertThat(JSON.readTree(redacted).get(key).asText()).isEqualTo("[REDACTED:credential]");
    }
    assertThat(JSON.readTree(redacted).get("cards").toString())
        .isEqualTo("[\"[REDACTED:credit_card]\",7]");
  }

  @Test
  void aCleanLineIsWrittenAsItIs() throws IOException {
    Writes writes = everyWay("nothing secret here", 1234567890123L);

    String plain = write(null, writes).replace("\"plain words\"", "\"[REDACTED:credential]\"");
    for (String number : List.of("123456", "42", "1.5", "1234", "2.5", "3.25")) {
      plain =
          plain.replaceFirst(":" + number.replace(".", "\\.") + ",", ":\"[REDACTED:credential]\",");
    }
    assertThat(write(new RedactingJsonGeneratorDecorator(), writes))
        .isEqualTo(plain)
        .isEqualTo(write(masking(), writes));
  }

  @Test
  void aRawValueWithASecretIsWrittenAsItsRedactedText() throws IOException {
    String raw = "{\"note\":\"" + KEY + "\"}";

    String out =
        write(
            new RedactingJsonGeneratorDecorator(),
            g -> {
              g.writeFieldName("raw");
              g.writeRawValue(raw);
              g.writeFieldName("plain");
              g.writeRawValue("{\"n\":1}");
            });

    assertThat(out).doesNotContain(KEY);
    assertThat(JSON.readTree(out).get("raw").asText())
        .isEqualTo("{\"note\":\"[REDACTED:openai_key]\"}");
    assertThat(JSON.readTree(out).get("plain").get("n").asInt()).isEqualTo(1);
  }

  @Test
  void rawUtf8StringContentIsWrittenAsItIsWhenClean() throws IOException {
    byte[] escaped = "a\\\"b".getBytes(StandardCharsets.UTF_8);
    Writes writes =
        g -> {
          g.writeFieldName("raw");
          g.writeRawUTF8String(escaped, 0, escaped.length);
        };

    assertThat(write(new RedactingJsonGeneratorDecorator(), writes))
        .isEqualTo(write(null, writes))
        .isEqualTo("{\"raw\":\"a\\\"b\"}");
  }

  @Test
  void theEncodersOwnFieldsAreNotScanned() throws IOException {
    Writes writes =
        generator -> {
          generator.writeStringField("level", "password=" + KEY);
          generator.writeStringField("message", "password=" + KEY);
        };

    String out = write(new RedactingJsonGeneratorDecorator(), writes);

    assertThat(JSON.readTree(out).get("level").asText()).isEqualTo("password=" + KEY);
    assertThat(JSON.readTree(out).get("message").asText()).doesNotContain(KEY);
  }
}
