package dev.arkonis.ark.cli;

/**
 * A stand-in for the CLI's main class in {@link LauncherCdsTest}: prints its arguments and exits
 * with the code given as the last argument, so the test can run the real {@code ./ark} launcher on
 * a jar that starts in a fraction of a second.
 */
public final class LauncherProbe {
  private LauncherProbe() {}

  public static void main(String[] args) {
    System.out.println("probe " + String.join(" ", args));
    System.exit(Integer.parseInt(args[args.length - 1]));
  }
}
