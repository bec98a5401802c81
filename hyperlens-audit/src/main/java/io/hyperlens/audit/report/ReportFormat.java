package io.hyperlens.audit.report;

import java.util.Locale;

/** The formats of a compliance report, as the seed names them: {@code pdf | csv | json}. */
public enum ReportFormat {
  /** A printable document for people (Apache PDFBox). */
  PDF("pdf"),
  /** One table with a {@code section} column, for spreadsheets. */
  CSV("csv"),
  /** One JSON object, for programs. */
  JSON("json");

  private final String value;

  ReportFormat(String value) {
    this.value = value;
  }

  /** The seed's name: {@code pdf}, {@code csv} or {@code json}; also the file extension. */
  public String value() {
    return value;
  }

  /**
   * The format named {@code value} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the value otherwise
   */
  public static ReportFormat of(String value) {
    if (value != null) {
      for (ReportFormat format : values()) {
        if (format.value.equals(value.toLowerCase(Locale.ROOT))) {
          return format;
        }
      }
    }
    throw new IllegalArgumentException(
        "format must be one of pdf|csv|json, got " + (value == null ? "null" : '"' + value + '"'));
  }
}
