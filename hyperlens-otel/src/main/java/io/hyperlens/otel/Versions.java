package io.hyperlens.otel;

/** The Hyperlens version reported as the instrumentation scope and meter version. */
final class Versions {
  private static final String FALLBACK = "0.1.0";

  private Versions() {}

  /** The jar's {@code Implementation-Version}, or {@value #FALLBACK} when run from classes. */
  static String hyperlens() {
    String version = Versions.class.getPackage().getImplementationVersion();
    return version != null ? version : FALLBACK;
  }
}
