package dev.arkonis.ark.cli;

import picocli.CommandLine.Command;

/** {@code ark version}. */
@Command(name = "version", description = "Print the ark version.")
final class VersionCommand implements Runnable {
  @Override
  public void run() {
    System.out.println("ark " + Main.version());
  }
}
