package dev.arkonis.ark.workflows.template;

/**
 * A template could not be parsed or executed.
 *
 * <p>The message always has the form {@code "line L, column C: what is wrong"}; {@link #line()} and
 * {@link #column()} give the same 1-based position in the template source (for a condition written
 * without {@code {{ }}}, the position inside the condition string).
 */
public final class TemplateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int line;
  private final int column;

  TemplateException(int line, int column, String problem) {
    super("line " + line + ", column " + column + ": " + problem);
    this.line = line;
    this.column = column;
  }

  TemplateException(Ast.Pos pos, String problem) {
    this(pos.line(), pos.column(), problem);
  }

  /** 1-based line of the problem in the template source. */
  public int line() {
    return line;
  }

  /** 1-based column (in UTF-16 characters) of the problem in the template source. */
  public int column() {
    return column;
  }
}
