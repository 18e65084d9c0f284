package dev.arkonis.ark.cli;

import java.security.SecureRandom;

/** Generated ArkRun names: {@code <team>-<5 random chars>}, as Kubernetes generateName does. */
final class RunNames {
  private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunNames() {}

  static String generate(String team) {
    StringBuilder name = new StringBuilder(team).append('-');
    for (int i = 0; i < 5; i++) {
      name.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return name.toString();
  }
}
