package dev.arkonis.ark.workflows.template;

import java.util.List;

/** The immutable syntax tree of a parsed template. */
final class Ast {
  private Ast() {}

  /** A 1-based source position. */
  record Pos(int line, int column) {}

  /** A node of a template body. */
  sealed interface Node permits Text, Action, If, With, Range, Break, Continue {}

  record Text(String text) implements Node {}

  /** {@code {{ pipeline }}}: prints the pipeline's value unless the pipeline declares variables. */
  record Action(Pos pos, Pipe pipe) implements Node {}

  /** {@code {{if}}}; an {@code {{else if}}} chain is an {@code elseBody} holding one nested If. */
  record If(Pos pos, Pipe pipe, List<Node> body, List<Node> elseBody) implements Node {}

  record With(Pos pos, Pipe pipe, List<Node> body, List<Node> elseBody) implements Node {}

  record Range(Pos pos, Pipe pipe, List<Node> body, List<Node> elseBody) implements Node {}

  record Break(Pos pos) implements Node {}

  record Continue(Pos pos) implements Node {}

  /**
   * {@code $x := cmd | cmd}: {@code decl} holds the declared or assigned variable names (two only
   * in {@code range}), {@code assign} is true for {@code =}.
   */
  record Pipe(Pos pos, List<String> decl, boolean assign, List<Command> commands) {}

  /** One stage of a pipeline: a function with its arguments, or a single value. */
  record Command(Pos pos, List<Expr> operands) {}

  /** An operand. */
  sealed interface Expr permits Dot, Nil, Literal, Field, Variable, Chain, Paren, Function {
    Pos pos();
  }

  record Dot(Pos pos) implements Expr {}

  record Nil(Pos pos) implements Expr {}

  /** A string, number (Long or Double), character (Long) or boolean constant. */
  record Literal(Pos pos, Object value, String source) implements Expr {}

  /** {@code .a.b} evaluated on dot. */
  record Field(Pos pos, List<String> names) implements Expr {}

  /** {@code $x.a.b}; {@code name} includes the dollar sign, {@code "$"} is the root. */
  record Variable(Pos pos, String name, List<String> fields) implements Expr {}

  /** {@code (pipeline).a.b}. */
  record Chain(Pos pos, Paren operand, List<String> fields) implements Expr {}

  /** {@code (pipeline)}. */
  record Paren(Pos pos, Pipe pipe) implements Expr {}

  record Function(Pos pos, String name) implements Expr {}

  /** A short source-like rendering of an operand, for error messages. */
  static String describe(Expr e) {
    if (e instanceof Dot) {
      return ".";
    } else if (e instanceof Nil) {
      return "nil";
    } else if (e instanceof Literal l) {
      return l.source();
    } else if (e instanceof Field f) {
      return "." + String.join(".", f.names());
    } else if (e instanceof Variable v) {
      return v.name() + (v.fields().isEmpty() ? "" : "." + String.join(".", v.fields()));
    } else if (e instanceof Chain c) {
      return "(...)." + String.join(".", c.fields());
    } else if (e instanceof Paren) {
      return "(...)";
    } else {
      return ((Function) e).name();
    }
  }
}
