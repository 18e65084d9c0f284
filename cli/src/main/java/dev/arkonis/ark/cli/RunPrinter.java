package dev.arkonis.ark.cli;

import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.StepToolCall;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.arkonis.ark.workflows.run.Times;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The human-readable output of {@code ark run}: the step table and the final summary. */
final class RunPrinter {
  private final PrintWriter out;
  private final boolean ansi;
  private int linesDrawn;
  private String lastTable = "";

  RunPrinter(PrintWriter out, boolean ansi) {
    this.out = out;
    this.ansi = ansi;
  }

  /** Redraws the step table in place (terminal) or prints it when it changed (plain output). */
  void live(RunStatus status, long nowMillis) {
    if (status == null) {
      return;
    }
    String table = table(status, nowMillis);
    if (!ansi) {
      String stable = table(status, -1);
      if (!stable.equals(lastTable)) {
        out.print(stable);
        out.flush();
        lastTable = stable;
      }
      return;
    }
    if (linesDrawn > 0) {
      out.print("\033[" + linesDrawn + "F\033[J");
    }
    out.print(table);
    out.flush();
    linesDrawn = (int) table.chars().filter(c -> c == '\n').count();
  }

  /** Prints the final table, the output and the totals. */
  void summary(String runName, String workflowId, RunStatus status) {
    if (ansi && linesDrawn > 0) {
      out.print("\033[" + linesDrawn + "F\033[J");
    }
    linesDrawn = 0;
    out.print(table(status, -1));
    out.println();
    List<StepStatus> noted =
        status.steps().stream()
            .filter(st -> st.message() != null && !st.message().isBlank())
            .toList();
    if (!noted.isEmpty()) {
      out.println("Notes:");
      noted.forEach(st -> out.println("  " + st.name() + ": " + st.message()));
      out.println();
    }
    List<StepStatus> calling =
        status.steps().stream().filter(st -> !st.toolCalls().isEmpty()).toList();
    if (!calling.isEmpty()) {
      out.println("Tool calls:");
      for (StepStatus st : calling) {
        for (StepToolCall call : st.toolCalls()) {
          out.println(
              "  "
                  + st.name()
                  + ": "
                  + toolCall(
                      call.name(), call.arguments(), call.outcome(), call.result(), SHORT_TEXT));
        }
      }
      out.println();
    }
    if (status.output() != null && !status.output().isEmpty()) {
      out.println("Output:");
      out.println(status.output().strip());
      out.println();
    }
    TokenUsage usage = status.totalTokenUsage();
    out.printf(
        Locale.ROOT,
        "Run %s %s in %s · tokens %,d (input %,d, output %,d) · workflow %s%n",
        runName,
        status.phase(),
        duration(status.startTime(), status.completionTime(), -1),
        usage.totalTokens(),
        usage.inputTokens(),
        usage.outputTokens(),
        workflowId);
    if (status.message() != null) {
      out.println(status.phase() + ": " + status.message());
    }
    out.flush();
  }

  /** Longest arguments or result in the summary's tool call lines ({@code -o json} has more). */
  static final int SHORT_TEXT = 120;

  /**
   * One tool call on one line: {@code name {arguments} → outcome: result}, each text on one line
   * and cut to {@code max} characters (0: whole).
   */
  static String toolCall(String name, String arguments, String outcome, String result, int max) {
    return name
        + " "
        + oneLine(arguments, max)
        + " → "
        + (outcome == null ? "?" : outcome)
        + (result == null || result.isEmpty() ? "" : ": " + oneLine(result, max));
  }

  private static String oneLine(String text, int max) {
    String line = text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", " ");
    return max > 0 && line.length() > max ? line.substring(0, max) + "…" : line;
  }

  static String table(RunStatus status, long nowMillis) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"STEP", "ROLE", "PHASE", "ATTEMPTS", "TOKENS", "DURATION"});
    for (StepStatus s : status.steps()) {
      String name = s.delegatedFrom() == null ? s.name() : "  ↳ " + s.name();
      rows.add(
          new String[] {
            name,
            s.route() == null ? s.role() : s.role() + " → " + s.route().resolvedAgent(),
            s.phase(),
            String.valueOf(s.attempts()),
            String.format(
                Locale.ROOT, "%,d", s.tokenUsage() == null ? 0 : s.tokenUsage().totalTokens()),
            s.startTime() == null ? "-" : duration(s.startTime(), s.completionTime(), nowMillis)
          });
    }
    int[] widths = new int[6];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(String.format(Locale.ROOT, "%-" + (widths[i] + 2) + "s", row[i]));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  private static String duration(String start, String end, long nowMillis) {
    if (start == null) {
      return "-";
    }
    long until = end != null ? Times.parse(end) : nowMillis;
    if (until < 0) {
      return "…";
    }
    double seconds = (until - Times.parse(start)) / 1000.0;
    return String.format(Locale.ROOT, "%.1fs", seconds);
  }
}
