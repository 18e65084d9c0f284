package dev.arkonis.ark.crd.manifest;

/**
 * Text from a user's manifest made safe to print in an error: characters a terminal or a browser
 * would act on or not show — C0/C1 controls, bidirectional overrides and isolates, zero-width
 * characters, the byte-order mark, lone UTF-16 surrogates — become {@code \\uXXXX}, so a name with
 * a hidden character looks different from the one it imitates; very long text is cut in the middle.
 */
public final class Printable {
  /** Longest message printed whole; longer ones keep their start and end. */
  public static final int MAX_CHARS = 2_000;

  private Printable() {}

  /** True for a character an error message must not print raw. */
  public static boolean invisible(char c) {
    return (c < 0x20 && c != '\n')
        || (c >= 0x7f && c <= 0x9f)
        || (c >= 0x200b && c <= 0x200f)
        || (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2060 && c <= 0x2069)
        || c == 0xfeff;
  }

  /** {@code text} with invisible characters and lone surrogates escaped, cut when very long. */
  public static String escape(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_CHARS + 64));
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean pair =
          Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1));
      if (pair) {
        out.append(c).append(text.charAt(++i));
      } else if (invisible(c) || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    if (out.length() <= MAX_CHARS) {
      return out.toString();
    }
    int head = MAX_CHARS * 2 / 3;
    int tail = MAX_CHARS - head;
    return out.substring(0, head)
        + " …("
        + (out.length() - head - tail)
        + " characters left out)… "
        + out.substring(out.length() - tail);
  }

  /** {@code U+0456 (CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I)} for a code point. */
  public static String describe(int codePoint) {
    String name = Character.getName(codePoint);
    return String.format("U+%04X", codePoint) + (name == null ? "" : " (" + name + ")");
  }
}
