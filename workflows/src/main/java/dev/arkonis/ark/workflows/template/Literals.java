package dev.arkonis.ark.workflows.template;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Decodes Go's double-quoted string and character literals, as strconv.Unquote does. */
final class Literals {
  /** Creates an error located at a source offset. */
  @FunctionalInterface
  interface Errors {
    TemplateException at(int offset, String problem);
  }

  /** A decoded literal and the offset just after it. */
  record Decoded(Object value, int end) {}

  private final String src;
  private final Errors errors;
  private int pos;

  private Literals(String src, int start, Errors errors) {
    this.src = src;
    this.pos = start;
    this.errors = errors;
  }

  /**
   * Decodes the string literal starting with the double quote at {@code start}. Escapes {@code
   * \xhh} and {@code \ooo} are bytes, so {@code "\xc3\xa9"} is "é" as in Go.
   */
  static Decoded string(String src, int start, Errors errors) {
    return new Literals(src, start, errors).string();
  }

  /** Decodes the character literal starting at {@code start}; its value is the code point. */
  static Decoded character(String src, int start, Errors errors) {
    return new Literals(src, start, errors).character();
  }

  private Decoded string() {
    int start = pos;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    pos++;
    while (true) {
      if (pos >= src.length() || src.charAt(pos) == '\n') {
        throw errors.at(start, "unterminated quoted string");
      }
      int cp = src.codePointAt(pos);
      if (cp == '"') {
        pos++;
        break;
      }
      if (cp == '\\') {
        int value = escape('"');
        if (value < 0) {
          bytes.write(-value - 1);
        } else {
          writeUtf8(bytes, value);
        }
      } else {
        pos += Character.charCount(cp);
        writeUtf8(bytes, cp);
      }
    }
    return new Decoded(bytes.toString(StandardCharsets.UTF_8), pos);
  }

  private Decoded character() {
    int start = pos;
    pos++;
    if (pos >= src.length() || src.charAt(pos) == '\n' || src.charAt(pos) == '\'') {
      throw errors.at(start, "malformed character constant");
    }
    int value;
    if (src.charAt(pos) == '\\') {
      value = escape('\'');
      value = value < 0 ? -value - 1 : value;
    } else {
      value = src.codePointAt(pos);
      pos += Character.charCount(value);
    }
    if (pos >= src.length() || src.charAt(pos) != '\'') {
      throw errors.at(start, "unterminated character constant");
    }
    pos++;
    return new Decoded((long) value, pos);
  }

  /**
   * Decodes the escape at {@code pos} (a backslash). Returns a code point, or {@code -(byte + 1)}
   * for the single bytes written as {@code \xhh} or {@code \ooo}.
   */
  private int escape(char quote) {
    int start = pos;
    pos++;
    if (pos >= src.length()) {
      throw errors.at(start, "unterminated escape sequence");
    }
    char c = src.charAt(pos++);
    switch (c) {
      case 'a':
        return 7;
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'v':
        return 11;
      case '\\':
        return '\\';
      case 'x':
        return -hexDigits(start, 2) - 1;
      case 'u':
        return codePoint(start, hexDigits(start, 4));
      case 'U':
        return codePoint(start, hexDigits(start, 8));
      default:
        if (c == quote) {
          return c;
        }
        if (c >= '0' && c <= '7') {
          pos--;
          int v = 0;
          for (int i = 0; i < 3; i++) {
            if (pos >= src.length() || src.charAt(pos) < '0' || src.charAt(pos) > '7') {
              throw errors.at(start, "invalid octal escape sequence");
            }
            v = v * 8 + (src.charAt(pos++) - '0');
          }
          if (v > 255) {
            throw errors.at(start, "octal escape value > 255");
          }
          return -v - 1;
        }
        throw errors.at(start, "unknown escape sequence \\" + c);
    }
  }

  private int hexDigits(int start, int n) {
    if (pos + n > src.length()) {
      throw errors.at(start, "invalid escape sequence");
    }
    int v = 0;
    for (int i = 0; i < n; i++) {
      int d = Character.digit(src.charAt(pos++), 16);
      if (d < 0) {
        throw errors.at(start, "invalid escape sequence");
      }
      v = v * 16 + d;
    }
    return v;
  }

  private int codePoint(int start, int value) {
    if (value > Character.MAX_CODE_POINT || (value >= 0xD800 && value <= 0xDFFF)) {
      throw errors.at(start, "escape sequence is invalid Unicode code point");
    }
    return value;
  }

  private static void writeUtf8(ByteArrayOutputStream bytes, int cp) {
    bytes.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
  }
}
