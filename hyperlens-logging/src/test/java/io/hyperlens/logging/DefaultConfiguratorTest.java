package io.hyperlens.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A library user who never configures logging gets INFO, redacted; one who does keeps theirs. */
class DefaultConfiguratorTest {
  @TempDir Path dir;

  @Test
  void withoutAConfigurationFileLoggingIsInfoAndNotAFloodOfDebug() {
    LoggerContext context = new LoggerContext();
    DefaultConfigurator configurator = new DefaultConfigurator();
    configurator.setContext(context);
    assertThat(configurator.configure(context))
        .isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger("org.apache.pdfbox.pdmodel").isDebugEnabled()).isFalse();
    assertThat(context.getLogger("anything").isInfoEnabled()).isTrue();
    // the hub's web server narrates starts and stops at INFO: only its warnings show
    assertThat(context.getLogger("org.eclipse.jetty.server.Server").isInfoEnabled()).isFalse();
    assertThat(context.getLogger("io.javalin.Javalin").isInfoEnabled()).isFalse();
    assertThat(context.getLogger("io.javalin.Javalin").isWarnEnabled()).isTrue();
    assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getLevel())
        .isEqualTo(Level.INFO);
    assertThat(
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("hyperlens-default"))
        .isNotNull();
  }

  @Test
  void anApplicationsOwnConfigurationWins() throws Exception {
    assertThat(DefaultConfigurator.applicationConfigured(new URLClassLoader(new URL[0], null)))
        .isFalse();
    Files.writeString(dir.resolve("logback.xml"), "<configuration/>");
    try (URLClassLoader withFile = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
      assertThat(DefaultConfigurator.applicationConfigured(withFile)).isTrue();
    }
    System.setProperty(DefaultConfigurator.CONFIG_PROPERTY, "/etc/app/logback.xml");
    try {
      assertThat(DefaultConfigurator.applicationConfigured(new URLClassLoader(new URL[0], null)))
          .isTrue();
    } finally {
      System.clearProperty(DefaultConfigurator.CONFIG_PROPERTY);
    }
  }

  @Test
  void logbackFindsItThroughTheServiceLoader() {
    assertThat(ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream())
        .anyMatch(p -> p.type() == DefaultConfigurator.class);
  }
}
