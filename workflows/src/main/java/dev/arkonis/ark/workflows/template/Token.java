package dev.arkonis.ark.workflows.template;

/**
 * A lexical token.
 *
 * @param text the source text (for FIELD the name without the dot; for VARIABLE the name with the
 *     dollar sign; for KEYWORD the keyword)
 * @param value the decoded value of STRING, CHAR, NUMBER and BOOL tokens
 */
record Token(Kind kind, String text, Object value, Ast.Pos pos) {

  enum Kind {
    TEXT,
    LEFT_DELIM,
    RIGHT_DELIM,
    SPACE,
    FIELD,
    DOT,
    VARIABLE,
    IDENTIFIER,
    KEYWORD,
    STRING,
    CHAR,
    NUMBER,
    BOOL,
    NIL,
    DECLARE,
    ASSIGN,
    PIPE,
    LEFT_PAREN,
    RIGHT_PAREN,
    COMMA,
    EOF
  }

  boolean is(Kind k) {
    return kind == k;
  }

  boolean isKeyword(String keyword) {
    return kind == Kind.KEYWORD && text.equals(keyword);
  }

  /** How the token reads in an error message. */
  String describe() {
    switch (kind) {
      case EOF:
        return "end of input";
      case RIGHT_DELIM:
        return "\"}}\"";
      case LEFT_DELIM:
        return "\"{{\"";
      case SPACE:
        return "space";
      case FIELD:
        return "\"." + text + "\"";
      case STRING:
      case CHAR:
        return text;
      default:
        return "\"" + text + "\"";
    }
  }
}
