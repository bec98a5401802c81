package io.hyperlens.audit.report;

import io.hyperlens.audit.AuditJson;
import io.hyperlens.audit.AuditRecord;
import io.hyperlens.audit.Checkpoint;
import io.hyperlens.audit.Decision;
import io.hyperlens.audit.VerificationReport;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * The PDF form of a compliance report (Apache PDFBox): an A4 document a person reads from the top,
 * the verification result first because everything else rests on it, then the summary, the
 * violations and the statistics, with page numbers. Text outside the standard fonts' character set
 * is shown as {@code ?}.
 */
final class PdfReportWriter {
  private static final float MARGIN = 48;
  private static final float WIDTH = PDRectangle.A4.getWidth() - 2 * MARGIN;
  private static final float[] GREEN = {0.13f, 0.55f, 0.27f};
  private static final float[] RED = {0.75f, 0.11f, 0.11f};
  private static final float[] AMBER = {0.80f, 0.47f, 0.05f};
  private static final float[] GREY = {0.93f, 0.93f, 0.93f};
  private static final float[] RULE = {0.75f, 0.75f, 0.75f};
  private static final int TOP_NAMES = 15;
  private static final float NO_GLYPH = -1;
  // The standard 14 fonts are not embedded, so one instance serves every document; making them
  // once also means PDFBox looks for (and logs about) a system font to draw them with only once.
  private static final PDFont REGULAR = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
  private static final PDFont BOLD = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
  private static final PDFont MONO = new PDType1Font(Standard14Fonts.FontName.COURIER);

  private PdfReportWriter() {}

  static void write(ComplianceReport report, OutputStream out) throws IOException {
    try (PDDocument doc = new PDDocument()) {
      PDDocumentInformation info = doc.getDocumentInformation();
      info.setTitle("Compliance report " + period(report));
      info.setCreator("Hyperlens");
      Page page = new Page(doc);
      try {
        header(page, report);
        verification(page, report.verification());
        ReportRequest request = report.request();
        if (!report.verification().intact()) {
          page.paragraph(
              "Verification FAILED: the figures below cover only records 1 to "
                  + report.verification().verifiedThrough()
                  + ", those before the first failure.",
              page.bold,
              10);
          page.gap(8);
        } else if (report.verification().unsealedRecords() > 0) {
          page.paragraph(
              "The figures below cover only records 1 to "
                  + report.verification().verifiedThrough()
                  + ", those a checkpoint signs; the "
                  + report.verification().unsealedRecords()
                  + " after them are signed by nothing yet.",
              page.bold,
              10);
          page.gap(8);
        }
        if (request.includeSummary()) {
          summary(page, report.summary());
        }
        if (request.includeViolations()) {
          violations(page, report);
        }
        if (request.includeStatistics()) {
          statistics(page, report.statistics());
        }
      } finally {
        page.close();
      }
      page.footers();
      doc.save(out);
    }
  }

  private static void header(Page p, ComplianceReport report) throws IOException {
    p.text("Compliance report", p.bold, 20, 0);
    p.gap(4);
    if (report.request().organization() != null) {
      p.text(report.request().organization(), p.bold, 12, 0);
    }
    p.text("Audit trail, " + period(report) + " (UTC)", p.regular, 11, 0);
    p.text(
        "Generated " + ReportFields.time(report.generatedAt()) + " by Hyperlens", p.regular, 9, 0);
    p.gap(10);
  }

  private static void verification(Page p, VerificationReport v) throws IOException {
    p.heading("Verification");
    switch (v.verdict()) {
      case VERIFIED:
        p.badge("VERIFIED", GREEN);
        break;
      case UNANCHORED:
        p.badge("UNANCHORED", AMBER);
        break;
      case UNSIGNED:
        p.badge("UNSIGNED", AMBER);
        break;
      default:
        p.badge("FAILED", RED);
        break;
    }
    p.paragraph(v.summary(), p.regular, 9);
    p.gap(4);
    List<String[]> rows = new ArrayList<>();
    rows.add(row("Records verified", Long.toString(v.recordsVerified())));
    rows.add(row("Signed checkpoints verified", Long.toString(v.checkpointsVerified())));
    rows.add(row("Last record", Long.toString(v.lastSequence())));
    rows.add(row("Records not yet signed", Long.toString(v.unsealedRecords())));
    v.failure()
        .ifPresent(
            f -> {
              rows.add(row("Failure", f.kind().name().toLowerCase(Locale.ROOT)));
              rows.add(row("First failing sequence", Long.toString(f.sequence())));
              rows.add(row("Detail", f.detail()));
            });
    p.keyValues(rows, false);
    p.gap(6);
    p.text("What the verdict rests on:", p.bold, 9, 0);
    p.gap(2);
    List<String[]> trust = new ArrayList<>();
    for (Map.Entry<String, String> e : ReportFields.trust(v).entrySet()) {
      trust.add(row(label(e.getKey()), e.getValue()));
    }
    p.keyValues(trust, true);
    Checkpoint c = v.lastCheckpoint().orElse(null);
    p.gap(6);
    if (c == null) {
      p.paragraph("No signed checkpoint vouches for this log yet.", p.regular, 9);
    } else {
      p.text("The chain rests on this signed checkpoint (C2SP tlog-checkpoint):", p.bold, 9, 0);
      p.gap(2);
      List<String[]> cp = new ArrayList<>();
      cp.add(row("Sequence", Long.toString(c.sequence())));
      cp.add(row("Signed at", ReportFields.time(c.timestamp())));
      cp.add(row("Root (SHA-256, base64)", c.rootBase64()));
      for (var signature : c.note().signatures()) {
        cp.add(row("Ed25519 signature", signature.line().substring(2)));
      }
      p.keyValues(cp, true);
    }
    p.gap(12);
  }

  private static void summary(Page p, ComplianceReport.Summary s) throws IOException {
    p.heading("Summary");
    p.text(s.totalRecords() + " records in the period", p.regular, 10, 0);
    p.gap(6);
    List<String[]> decisions = new ArrayList<>();
    for (Map.Entry<Decision, Long> e : s.byDecision().entrySet()) {
      decisions.add(
          new String[] {
            e.getKey().value(),
            Long.toString(e.getValue()),
            ReportFields.percent(share(e.getValue(), s.totalRecords()))
          });
    }
    p.table(new String[] {"Decision", "Records", "Share"}, new float[] {2, 1, 1}, decisions, 1);
    p.gap(8);
    p.table(
        new String[] {"Agent", "Records", "Share"},
        new float[] {4, 1, 1},
        top(s.byAgent(), s.totalRecords(), "agents"),
        1);
    p.gap(8);
    p.table(
        new String[] {"Action", "Records", "Share"},
        new float[] {4, 1, 1},
        top(s.byAction(), s.totalRecords(), "actions"),
        1);
    p.gap(12);
  }

  private static void violations(Page p, ComplianceReport report) throws IOException {
    p.heading("Violations");
    List<AuditRecord> listed = report.violations();
    String count =
        report.violationCount() == listed.size()
            ? report.violationCount() + " denied actions"
            : report.violationCount() + " denied actions; the newest " + listed.size() + " listed";
    p.text(count, p.regular, 10, 0);
    p.gap(6);
    if (listed.isEmpty()) {
      p.paragraph("None in the period.", p.regular, 9);
    } else {
      List<String[]> rows = new ArrayList<>();
      for (AuditRecord r : listed) {
        rows.add(
            new String[] {
              Long.toString(r.sequence()),
              AuditJson.formatTimestamp(r.timestamp()).replace('T', ' '),
              r.agentId(),
              r.action(),
              r.resource() == null ? "" : r.resource(),
              r.reason() == null ? "" : r.reason(),
              r.ruleId() == null ? "" : r.ruleId()
            });
      }
      p.table(
          new String[] {"Seq", "Time (UTC)", "Agent", "Action", "Resource", "Reason", "Rule"},
          new float[] {0.6f, 2.3f, 1.4f, 1.2f, 1.8f, 2.2f, 0.9f},
          rows,
          0);
    }
    p.gap(12);
  }

  private static void statistics(Page p, ComplianceReport.Statistics s) throws IOException {
    p.heading("Statistics");
    List<String[]> rows = new ArrayList<>();
    for (Map.Entry<String, String> e : ReportFields.statistics(s).entrySet()) {
      rows.add(row(label(e.getKey()), e.getValue()));
    }
    p.keyValues(rows, false);
    p.gap(8);
    p.table(
        new String[] {"Rule behind denials", "Denials"},
        new float[] {4, 1},
        top(s.topDenyingRules(), -1, null),
        1);
    p.gap(8);
    p.table(
        new String[] {"Agent denied most", "Denials"},
        new float[] {4, 1},
        top(s.topDeniedAgents(), -1, null),
        1);
  }

  private static List<String[]> top(Map<String, Long> counts, long total, String noun) {
    List<String[]> rows = new ArrayList<>();
    int shown = 0;
    long rest = 0;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (shown < TOP_NAMES) {
        rows.add(
            total < 0
                ? new String[] {e.getKey(), Long.toString(e.getValue())}
                : new String[] {
                  e.getKey(),
                  Long.toString(e.getValue()),
                  ReportFields.percent(share(e.getValue(), total))
                });
        shown++;
      } else {
        rest += e.getValue();
      }
    }
    if (counts.size() > TOP_NAMES) {
      rows.add(
          new String[] {
            (counts.size() - TOP_NAMES) + " more " + noun,
            Long.toString(rest),
            ReportFields.percent(share(rest, total))
          });
    }
    if (rows.isEmpty()) {
      rows.add(total < 0 ? new String[] {"(none)", ""} : new String[] {"(none)", "", ""});
    }
    return rows;
  }

  private static double share(long part, long total) {
    return total <= 0 ? 0 : part / (double) total;
  }

  private static String label(String key) {
    String words = key.replace('_', ' ');
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  private static String[] row(String key, String value) {
    return new String[] {key, value};
  }

  private static String period(ComplianceReport report) {
    return ReportFields.time(report.from()) + " to " + ReportFields.time(report.to());
  }

  /** A cursor over the pages being written. */
  private static final class Page {
    final PDDocument doc;
    final PDFont regular = REGULAR;
    final PDFont bold = BOLD;
    final PDFont mono = MONO;

    /** Per font, each code point's width in glyph units; {@link #NO_GLYPH} if it cannot show it. */
    private final Map<PDFont, Map<Integer, Float>> glyphs = new HashMap<>();

    private PDPageContentStream cs;
    private float y;

    Page(PDDocument doc) throws IOException {
      this.doc = doc;
      newPage();
    }

    void newPage() throws IOException {
      close();
      PDPage page = new PDPage(PDRectangle.A4);
      doc.addPage(page);
      cs = new PDPageContentStream(doc, page);
      y = PDRectangle.A4.getHeight() - MARGIN;
    }

    void close() throws IOException {
      if (cs != null) {
        cs.close();
        cs = null;
      }
    }

    void need(float height) throws IOException {
      if (y - height < MARGIN + 14) {
        newPage();
      }
    }

    void gap(float points) {
      y -= points;
    }

    void heading(String title) throws IOException {
      need(60);
      text(title, bold, 14, 0);
      color(RULE, false);
      cs.setLineWidth(0.8f);
      cs.moveTo(MARGIN, y - 4);
      cs.lineTo(MARGIN + WIDTH, y - 4);
      cs.stroke();
      y -= 12;
    }

    void text(String text, PDFont font, float size, float indent) throws IOException {
      need(size + 4);
      y -= size + 2;
      show(text, font, size, MARGIN + indent, y);
    }

    void paragraph(String text, PDFont font, float size) throws IOException {
      for (String line : wrap(text, font, size, WIDTH, Integer.MAX_VALUE)) {
        text(line, font, size, 0);
      }
    }

    void badge(String label, float[] rgb) throws IOException {
      float size = 11;
      float w = width(label, bold, size) + 16;
      need(size + 14);
      y -= size + 10;
      color(rgb, true);
      cs.addRect(MARGIN, y - 4, w, size + 10);
      cs.fill();
      cs.setNonStrokingColor(1f, 1f, 1f);
      show(label, bold, size, MARGIN + 8, y);
      cs.setNonStrokingColor(0f, 0f, 0f);
      y -= 8;
    }

    void keyValues(List<String[]> rows, boolean monoValues) throws IOException {
      float size = 9;
      float keyWidth = 150;
      for (String[] row : rows) {
        PDFont font = monoValues && row[1].length() > 20 ? mono : regular;
        List<String> lines = wrap(row[1], font, size, WIDTH - keyWidth, 6);
        need(lines.size() * (size + 3) + 2);
        float top = y;
        show(row[0], bold, size, MARGIN, top - size - 1);
        for (int i = 0; i < lines.size(); i++) {
          show(lines.get(i), font, size, MARGIN + keyWidth, top - (i + 1) * (size + 3) + 2);
        }
        y = top - lines.size() * (size + 3) - 3;
      }
    }

    /** A table with a shaded header; {@code numericFrom} and later columns are right-aligned. */
    void table(String[] header, float[] weights, List<String[]> rows, int numericFrom)
        throws IOException {
      float size = 8;
      float total = 0;
      for (float w : weights) {
        total += w;
      }
      float[] widths = new float[weights.length];
      for (int i = 0; i < weights.length; i++) {
        widths[i] = WIDTH * weights[i] / total;
      }
      need(3 * (size + 6));
      headerRow(header, widths, size, numericFrom);
      boolean shade = false;
      for (String[] row : rows) {
        List<List<String>> cells = new ArrayList<>();
        int lines = 1;
        for (int i = 0; i < row.length; i++) {
          List<String> cell = wrap(row[i], regular, size, widths[i] - 6, 6);
          cells.add(cell);
          lines = Math.max(lines, cell.size());
        }
        float height = lines * (size + 2) + 5;
        if (y - height < MARGIN + 14) {
          newPage();
          headerRow(header, widths, size, numericFrom);
        }
        if (shade) {
          color(new float[] {0.97f, 0.97f, 0.97f}, true);
          cs.addRect(MARGIN, y - height, WIDTH, height);
          cs.fill();
          cs.setNonStrokingColor(0f, 0f, 0f);
        }
        shade = !shade;
        float x = MARGIN;
        for (int i = 0; i < cells.size(); i++) {
          List<String> cell = cells.get(i);
          for (int l = 0; l < cell.size(); l++) {
            String line = cell.get(l);
            float tx =
                i >= numericFrom && numericFrom > 0
                    ? x + widths[i] - 3 - width(line, regular, size)
                    : x + 3;
            show(line, regular, size, tx, y - (l + 1) * (size + 2) - 1);
          }
          x += widths[i];
        }
        y -= height;
      }
      color(RULE, false);
      cs.setLineWidth(0.5f);
      cs.moveTo(MARGIN, y);
      cs.lineTo(MARGIN + WIDTH, y);
      cs.stroke();
    }

    private void headerRow(String[] header, float[] widths, float size, int numericFrom)
        throws IOException {
      float height = size + 8;
      color(GREY, true);
      cs.addRect(MARGIN, y - height, WIDTH, height);
      cs.fill();
      cs.setNonStrokingColor(0f, 0f, 0f);
      float x = MARGIN;
      for (int i = 0; i < header.length; i++) {
        float tx =
            i >= numericFrom && numericFrom > 0
                ? x + widths[i] - 3 - width(header[i], bold, size)
                : x + 3;
        show(header[i], bold, size, tx, y - size - 2);
        x += widths[i];
      }
      y -= height;
    }

    /** Page numbers, once every page exists. */
    void footers() throws IOException {
      int count = doc.getNumberOfPages();
      for (int i = 0; i < count; i++) {
        try (PDPageContentStream footer =
            new PDPageContentStream(
                doc, doc.getPage(i), PDPageContentStream.AppendMode.APPEND, true, true)) {
          String label = "Hyperlens compliance report - page " + (i + 1) + " of " + count;
          footer.beginText();
          footer.setFont(regular, 8);
          footer.setNonStrokingColor(0.4f, 0.4f, 0.4f);
          footer.newLineAtOffset(MARGIN + WIDTH - width(label, regular, 8), MARGIN - 16);
          footer.showText(label);
          footer.endText();
        }
      }
    }

    private void show(String text, PDFont font, float size, float x, float baseline)
        throws IOException {
      cs.beginText();
      cs.setFont(font, size);
      cs.newLineAtOffset(x, baseline);
      cs.showText(safe(text, font));
      cs.endText();
    }

    private void color(float[] rgb, boolean fill) throws IOException {
      if (fill) {
        cs.setNonStrokingColor(rgb[0], rgb[1], rgb[2]);
      } else {
        cs.setStrokingColor(rgb[0], rgb[1], rgb[2]);
      }
    }

    private float width(String text, PDFont font, float size) {
      String shown = safe(text, font);
      float units = 0;
      for (int i = 0; i < shown.length(); i++) {
        units += glyph(font, shown.charAt(i));
      }
      return units / 1000 * size;
    }

    /**
     * Greedy word wrap into at most {@code maxLines} lines no wider than {@code width}, at spaces
     * or after {@code :}, {@code /} and {@code -} (an agent's {@code did:mesh:tool-agent-0}, a
     * path); a word longer than a line breaks anywhere, and text that does not fit ends in "...".
     * Linear in the text shown: character widths are looked up once per font.
     */
    private List<String> wrap(String text, PDFont font, float size, float width, int maxLines)
        throws IOException {
      // No more characters than the lines could hold at the narrowest glyph, so an agent's
      // 8 KiB resource costs what it shows.
      long cap = 400L * maxLines;
      boolean cut = text.length() > cap;
      String shown = safe(cut ? text.substring(0, (int) cap) : text, font);
      List<String> lines = new ArrayList<>();
      int n = shown.length();
      int start = 0;
      while (start < n && lines.size() < maxLines) {
        float used = 0;
        int end = start;
        int lastBreak = -1; // where the line may end: at a space, or after : / -
        while (end < n) {
          float w = glyph(font, shown.charAt(end)) * size / 1000;
          if (used + w > width && end > start) {
            break;
          }
          char c = shown.charAt(end);
          if (c == ' ') {
            lastBreak = end;
          } else if (c == ':' || c == '/' || c == '-') {
            lastBreak = end + 1;
          }
          used += w;
          end++;
        }
        if (end < n && lastBreak > start) {
          end = lastBreak;
        }
        lines.add(shown.substring(start, end));
        start = end;
        while (start < n && shown.charAt(start) == ' ') {
          start++;
        }
      }
      if (lines.isEmpty()) {
        lines.add("");
      } else if (start < n || cut) {
        int last = lines.size() - 1;
        String line = lines.get(last);
        while (!line.isEmpty() && width(line + "...", font, size) > width) {
          line = line.substring(0, line.length() - 1);
        }
        lines.set(last, line + "...");
      }
      return lines;
    }

    /** The width of {@code cp} in {@code font}'s glyph units, or {@link #NO_GLYPH}. */
    private float glyph(PDFont font, int cp) {
      return glyphs
          .computeIfAbsent(font, f -> new HashMap<>())
          .computeIfAbsent(
              cp,
              c -> {
                try {
                  String one = new String(Character.toChars(c));
                  font.encode(one); // throws when the font's encoding has no such character
                  return font.getStringWidth(one);
                } catch (IllegalArgumentException | IOException e) {
                  return NO_GLYPH;
                }
              });
    }

    /** {@code text} with what the font cannot show replaced by {@code ?} and controls by spaces. */
    private String safe(String text, PDFont font) {
      StringBuilder out = new StringBuilder(text.length());
      text.codePoints()
          .forEach(
              cp -> {
                if (cp < 0x20 || cp == 0x7f) {
                  out.append(' ');
                } else if (glyph(font, cp) == NO_GLYPH) {
                  out.append('?');
                } else {
                  out.appendCodePoint(cp);
                }
              });
      return out.toString();
    }
  }
}
