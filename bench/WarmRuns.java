import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs {@code ark run ... -o json} several times in ONE JVM through the CLI's public entry point
 * ({@code dev.arkonis.ark.cli.Main.execute}), so the later runs see a warm JVM (classes loaded,
 * code JIT-compiled) as a long-lived operator or agent worker does. Used by bench/measure.py:
 *
 * <pre>java -cp cli/target/ark.jar bench/WarmRuns.java RUNS -- ARK-RUN-ARGS... [--- ARK-RUN-ARGS...]</pre>
 *
 * Each argument group after {@code --}/{@code ---} is one variant (team and backend); every round
 * runs every variant once, alternating the order. Prints one line per run to stdout:
 * {@code <round> <variant> <exit code> <ArkRun JSON on one line>}.
 */
public class WarmRuns {
  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args[0]);
    java.util.List<String[]> variants = new java.util.ArrayList<>();
    java.util.List<String> current = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--") || args[i].equals("---")) {
        if (current != null) variants.add(current.toArray(new String[0]));
        current = new java.util.ArrayList<>();
      } else {
        current.add(args[i]);
      }
    }
    if (current != null) variants.add(current.toArray(new String[0]));
    PrintStream stdout = System.out;
    for (int round = 0; round < rounds; round++) {
      for (int k = 0; k < variants.size(); k++) {
        int v = round % 2 == 0 ? k : variants.size() - 1 - k;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        int code;
        try {
          code = dev.arkonis.ark.cli.Main.execute(variants.get(v));
        } finally {
          System.out.flush();
          System.setOut(stdout);
        }
        String json = buffer.toString(StandardCharsets.UTF_8).replaceAll("\\s*\\n\\s*", " ").trim();
        stdout.println(round + " " + v + " " + code + " " + json);
        stdout.flush();
      }
    }
    System.exit(0);
  }
}
