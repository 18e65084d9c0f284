package dev.arkonis.ark.workflows.template;

import dev.arkonis.ark.workflows.template.Token.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Splits template source into tokens, following Go's text/template lexer. */
final class Lexer {
  private static final Set<String> KEYWORDS =
      Set.of(
          "if", "else", "end", "range", "with", "break", "continue", "define", "template", "block");

  private final String src;
  private final boolean expression;
  private final int[] lineStarts;
  private final List<Token> out = new ArrayList<>();
  private int pos;

  private Lexer(String src, boolean expression) {
    this.src = src;
    this.expression = expression;
    int[] starts = new int[16];
    int n = 1;
    for (int i = 0; i < src.length(); i++) {
      if (src.charAt(i) == '\n') {
        if (n == starts.length) {
          starts = Arrays.copyOf(starts, n * 2);
        }
        starts[n++] = i + 1;
      }
    }
    this.lineStarts = Arrays.copyOf(starts, n);
  }

  /** Tokens of a template: text and actions, ending with EOF. */
  static List<Token> template(String src) {
    Lexer l = new Lexer(src, false);
    l.lexText();
    return l.out;
  }

  /** Tokens of a bare expression (the inside of one action without delimiters), ending with EOF. */
  static List<Token> expression(String src) {
    Lexer l = new Lexer(src, true);
    l.lexInsideAction(0);
    return l.out;
  }

  Ast.Pos posAt(int offset) {
    int idx = Arrays.binarySearch(lineStarts, offset);
    int line = idx >= 0 ? idx : -idx - 2;
    return new Ast.Pos(line + 1, offset - lineStarts[line] + 1);
  }

  private TemplateException error(int offset, String problem) {
    return new TemplateException(posAt(offset), problem);
  }

  private void emit(Kind kind, int start, String text, Object value) {
    out.add(new Token(kind, text, value, posAt(start)));
  }

  private void emit(Kind kind, int start) {
    emit(kind, start, src.substring(start, pos), null);
  }

  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private static boolean isAlphaNumeric(int cp) {
    return cp == '_' || Character.isLetter(cp) || Character.isDigit(cp);
  }

  private void lexText() {
    boolean trimLeading = false;
    while (true) {
      int open = src.indexOf("{{", pos);
      int end = open < 0 ? src.length() : open;
      boolean leftTrim = open >= 0 && hasLeftTrimMarker(open + 2);
      int textStart = pos;
      int textEnd = end;
      if (trimLeading) {
        while (textStart < textEnd && isSpace(src.charAt(textStart))) {
          textStart++;
        }
      }
      if (leftTrim) {
        while (textEnd > textStart && isSpace(src.charAt(textEnd - 1))) {
          textEnd--;
        }
      }
      if (textEnd > textStart) {
        emit(Kind.TEXT, textStart, src.substring(textStart, textEnd), null);
      }
      if (open < 0) {
        pos = src.length();
        emit(Kind.EOF, pos);
        return;
      }
      pos = open + 2 + (leftTrim ? 2 : 0);
      if (src.startsWith("/*", pos)) {
        trimLeading = lexComment(open);
      } else {
        emit(Kind.LEFT_DELIM, open, "{{", null);
        trimLeading = lexInsideAction(open);
      }
    }
  }

  private boolean hasLeftTrimMarker(int at) {
    return at + 1 < src.length() && src.charAt(at) == '-' && isSpace(src.charAt(at + 1));
  }

  private boolean atRightTrimDelim(int at) {
    return at + 1 < src.length()
        && isSpace(src.charAt(at))
        && src.charAt(at + 1) == '-'
        && src.startsWith("}}", at + 2);
  }

  /** Skips a comment; returns whether it ends with a right trim marker. */
  private boolean lexComment(int open) {
    int close = src.indexOf("*/", pos + 2);
    if (close < 0) {
      throw error(open, "unclosed comment");
    }
    pos = close + 2;
    if (src.startsWith("}}", pos)) {
      pos += 2;
      return false;
    }
    if (atRightTrimDelim(pos)) {
      pos += 4;
      return true;
    }
    throw error(open, "comment ends before closing delimiter");
  }

  /** Lexes one action up to its right delimiter; returns whether that has a trim marker. */
  private boolean lexInsideAction(int open) {
    while (true) {
      if (pos >= src.length()) {
        if (expression) {
          emit(Kind.EOF, pos);
          return false;
        }
        throw error(open, "unclosed action");
      }
      char c = src.charAt(pos);
      int start = pos;
      if (!expression && src.startsWith("}}", pos)) {
        pos += 2;
        emit(Kind.RIGHT_DELIM, start);
        return false;
      }
      if (!expression && atRightTrimDelim(pos)) {
        pos += 4;
        emit(Kind.RIGHT_DELIM, start + 2, "}}", null);
        return true;
      }
      if (isSpace(c)) {
        while (pos < src.length()
            && isSpace(src.charAt(pos))
            && (expression || !atRightTrimDelim(pos))) {
          pos++;
        }
        emit(Kind.SPACE, start);
      } else if (c == '"') {
        Literals.Decoded d = Literals.string(src, start, this::error);
        pos = d.end();
        emit(Kind.STRING, start, src.substring(start, pos), d.value());
      } else if (c == '`') {
        int close = src.indexOf('`', pos + 1);
        if (close < 0) {
          throw error(start, "unterminated raw quoted string");
        }
        pos = close + 1;
        emit(
            Kind.STRING,
            start,
            src.substring(start, pos),
            src.substring(start + 1, close).replace("\r", ""));
      } else if (c == '\'') {
        Literals.Decoded d = Literals.character(src, start, this::error);
        pos = d.end();
        emit(Kind.CHAR, start, src.substring(start, pos), d.value());
      } else if (c == '$') {
        pos++;
        scanAlphaNumeric();
        checkTerminator();
        emit(Kind.VARIABLE, start);
      } else if (c == '.') {
        if (pos + 1 < src.length() && src.charAt(pos + 1) >= '0' && src.charAt(pos + 1) <= '9') {
          lexNumber();
        } else {
          pos++;
          if (atTerminator(pos)) {
            emit(Kind.DOT, start);
          } else {
            scanAlphaNumeric();
            if (pos == start + 1) {
              throw badCharacter(pos, false);
            }
            checkTerminator();
            emit(Kind.FIELD, start, src.substring(start + 1, pos), null);
          }
        }
      } else if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
        lexNumber();
      } else if (isAlphaNumeric(src.codePointAt(pos))) {
        scanAlphaNumeric();
        checkTerminator();
        String word = src.substring(start, pos);
        if (word.equals("true") || word.equals("false")) {
          emit(Kind.BOOL, start, word, Boolean.valueOf(word));
        } else if (word.equals("nil")) {
          emit(Kind.NIL, start);
        } else {
          emit(KEYWORDS.contains(word) ? Kind.KEYWORD : Kind.IDENTIFIER, start);
        }
      } else if (c == ':') {
        if (pos + 1 >= src.length() || src.charAt(pos + 1) != '=') {
          throw error(start, "expected :=");
        }
        pos += 2;
        emit(Kind.DECLARE, start);
      } else {
        Kind kind =
            switch (c) {
              case '=' -> Kind.ASSIGN;
              case '|' -> Kind.PIPE;
              case '(' -> Kind.LEFT_PAREN;
              case ')' -> Kind.RIGHT_PAREN;
              case ',' -> Kind.COMMA;
              default ->
                  throw error(
                      start,
                      "unrecognized character in action: " + describeChar(src.codePointAt(start)));
            };
        pos++;
        emit(kind, start);
      }
    }
  }

  private void scanAlphaNumeric() {
    while (pos < src.length() && isAlphaNumeric(src.codePointAt(pos))) {
      pos += Character.charCount(src.codePointAt(pos));
    }
  }

  private boolean atTerminator(int at) {
    if (at >= src.length()) {
      return true;
    }
    char c = src.charAt(at);
    return isSpace(c)
        || c == '.'
        || c == ','
        || c == '|'
        || c == ':'
        || c == ')'
        || c == '('
        || (!expression && src.startsWith("}}", at));
  }

  private void checkTerminator() {
    if (!atTerminator(pos)) {
      throw badCharacter(pos, true);
    }
  }

  private TemplateException badCharacter(int at, boolean afterName) {
    int cp = src.codePointAt(at);
    String hint =
        afterName && cp == '-'
            ? " (a key that is not an identifier needs index, e.g. index .steps \"my-step\")"
            : "";
    return error(at, "bad character " + describeChar(cp) + hint);
  }

  static String describeChar(int cp) {
    return String.format(Locale.ROOT, "U+%04X '%s'", cp, new String(Character.toChars(cp)));
  }

  private void lexNumber() {
    int start = pos;
    if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
      pos++;
    }
    String digits = "0123456789_";
    boolean hex = false;
    if (accept("0")) {
      if (accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
        hex = true;
      } else if (accept("oO")) {
        digits = "01234567_";
      } else if (accept("bB")) {
        digits = "01_";
      }
    }
    acceptRun(digits);
    if (accept(".")) {
      acceptRun(digits);
    }
    if (digits.length() == 11 && accept("eE")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    if (hex && accept("pP")) {
      accept("+-");
      acceptRun("0123456789_");
    }
    String text = src.substring(start, pos);
    if (pos < src.length() && (src.charAt(pos) == 'i' || isAlphaNumeric(src.codePointAt(pos)))) {
      throw error(start, "bad number syntax: \"" + text + src.charAt(pos) + "\"");
    }
    emit(
        Kind.NUMBER,
        start,
        text,
        Numbers.parseLiteral(text, () -> error(start, "bad number syntax: \"" + text + "\"")));
  }

  private boolean accept(String valid) {
    if (pos < src.length() && valid.indexOf(src.charAt(pos)) >= 0) {
      pos++;
      return true;
    }
    return false;
  }

  private void acceptRun(String valid) {
    while (accept(valid)) {
      // keep going
    }
  }
}
