package io.hyperlens.server.cli;

import io.hyperlens.alerting.AlertConfig;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Reads an {@code --alerts} / {@code --config} file into an {@link AlertConfig}: a file that is
 * missing, unreadable or wrong is picocli's usage error (exit 2) naming the setting at fault.
 */
final class AlertConfigConverter implements CommandLine.ITypeConverter<AlertConfig> {
  @Override
  public AlertConfig convert(String value) {
    try {
      return AlertConfig.load(Path.of(value));
    } catch (NoSuchFileException e) {
      throw new CommandLine.TypeConversionException("no such file: " + value);
    } catch (IOException e) {
      throw new CommandLine.TypeConversionException("cannot read " + value + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }
}
