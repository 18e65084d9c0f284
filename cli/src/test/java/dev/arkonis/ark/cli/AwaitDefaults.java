package dev.arkonis.ark.cli;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (junit-platform.properties): an {@code await()} without its own
 * {@code atMost} waits up to 30 s instead of Awaitility's 10 s, so a loaded CI machine slows a
 * passing test down instead of failing it; a condition that never holds still fails.
 */
public final class AwaitDefaults implements BeforeAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
  }
}
