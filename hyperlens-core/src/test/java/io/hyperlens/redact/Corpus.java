package io.hyperlens.redact;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The secret corpus: synthetic secrets with their kinds, and look-alikes that are not secrets. */
public record Corpus(List<Entry> secrets, List<String> lookAlikes) {
  /** A line holding {@code secret} of {@code kind}. */
  public record Entry(String kind, String line, String secret) {}

  public static Corpus load() throws IOException {
    List<Entry> secrets = new ArrayList<>();
    List<String> lookAlikes = new ArrayList<>();
    try (InputStream in = Corpus.class.getResourceAsStream("secrets-corpus.tsv")) {
      for (String row : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (row.isBlank() || row.startsWith("#")) {
          continue;
        }
        String[] fields = row.replace("\\n", "\n").split("\t");
        if (fields[0].equals("ok")) {
          lookAlikes.add(fields[1]);
        } else {
          secrets.add(new Entry(fields[0], fields[1], fields[2]));
        }
      }
    }
    return new Corpus(List.copyOf(secrets), List.copyOf(lookAlikes));
  }
}
