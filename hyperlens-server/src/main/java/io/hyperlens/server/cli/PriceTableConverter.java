package io.hyperlens.server.cli;

import io.hyperlens.otel.GenAiPriceTable;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Reads a {@code --prices} file and lays it over the bundled price table: a file that is missing,
 * unreadable or not a valid price table is picocli's usage error (exit 2) naming the field and the
 * value at fault.
 */
final class PriceTableConverter implements CommandLine.ITypeConverter<GenAiPriceTable> {
  @Override
  public GenAiPriceTable convert(String value) {
    try {
      return GenAiPriceTable.bundled().withOverrides(GenAiPriceTable.parse(Path.of(value)));
    } catch (NoSuchFileException e) {
      throw new CommandLine.TypeConversionException("no such file: " + value);
    } catch (IOException e) {
      throw new CommandLine.TypeConversionException("cannot read " + value + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
