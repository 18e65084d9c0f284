package dev.arkonis.ark.workflows.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** Go's fmt.Sprint, Sprintln, Sprintf and strconv.Quote for the template data model. */
final class GoFormat {
  private GoFormat() {}

  /** Flags, width and precision of one verb. */
  private record Spec(
      boolean minus,
      boolean plus,
      boolean space,
      boolean zero,
      boolean sharp,
      int width,
      int prec) {}

  /** Go's Sprint: a space between operands when neither is a string; nil prints as nothing. */
  static String sprint(List<Object> args) {
    StringBuilder sb = new StringBuilder();
    boolean prevString = false;
    for (int i = 0; i < args.size(); i++) {
      Object arg = args.get(i);
      boolean isString = arg instanceof CharSequence;
      if (i > 0 && !isString && !prevString) {
        sb.append(' ');
      }
      sb.append(Values.text(arg));
      prevString = isString;
    }
    return sb.toString();
  }

  /** Go's Sprintln: operands separated by spaces, then a newline. */
  static String sprintln(List<Object> args) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < args.size(); i++) {
      sb.append(i > 0 ? " " : "").append(Values.text(args.get(i)));
    }
    return sb.append('\n').toString();
  }

  /**
   * Go's Sprintf for the verbs %v %s %d %f %F %e %E %g %G %x %X %o %b %c %q %t %% with flags {@code
   * -+ 0#}, width and precision. Numbers are accepted by both integer and float verbs (an integral
   * float prints with %d) because JSON numbers arrive as either Java type; %s and %v print nil as
   * nothing. Mismatches print Go's {@code %!d(string=x)} rather than failing.
   */
  static String sprintf(String format, List<Object> args) {
    StringBuilder out = new StringBuilder();
    int argIndex = 0;
    int i = 0;
    int n = format.length();
    while (i < n) {
      char c = format.charAt(i++);
      if (c != '%') {
        out.append(c);
        continue;
      }
      boolean minus = false;
      boolean plus = false;
      boolean space = false;
      boolean zero = false;
      boolean sharp = false;
      for (; i < n; i++) {
        char f = format.charAt(i);
        if (f == '-') {
          minus = true;
        } else if (f == '+') {
          plus = true;
        } else if (f == ' ') {
          space = true;
        } else if (f == '0') {
          zero = true;
        } else if (f == '#') {
          sharp = true;
        } else {
          break;
        }
      }
      int width = -1;
      while (i < n && Character.isDigit(format.charAt(i)) && format.charAt(i) <= '9') {
        width = Math.max(width, 0) * 10 + (format.charAt(i++) - '0');
        width = Math.min(width, 10_000);
      }
      int prec = -1;
      if (i < n && format.charAt(i) == '.') {
        i++;
        prec = 0;
        while (i < n && Character.isDigit(format.charAt(i)) && format.charAt(i) <= '9') {
          prec = Math.min(prec * 10 + (format.charAt(i++) - '0'), 10_000);
        }
      }
      if (i >= n) {
        out.append("%!(NOVERB)");
        break;
      }
      int verb = format.codePointAt(i);
      i += Character.charCount(verb);
      if (verb == '%') {
        out.append('%');
        continue;
      }
      String verbText = new String(Character.toChars(verb));
      if (argIndex >= args.size()) {
        out.append("%!").append(verbText).append("(MISSING)");
        continue;
      }
      Spec spec = new Spec(minus, plus, space, zero && !minus, sharp, width, prec);
      out.append(formatOne(spec, verb, args.get(argIndex++)));
    }
    if (argIndex < args.size()) {
      out.append("%!(EXTRA ");
      for (int a = argIndex; a < args.size(); a++) {
        Object arg = args.get(a);
        out.append(a > argIndex ? ", " : "");
        out.append(arg == null ? "<nil>" : Values.typeName(arg) + "=" + Values.goString(arg));
      }
      out.append(')');
    }
    return out.toString();
  }

  private static String formatOne(Spec spec, int verb, Object arg) {
    boolean number = arg instanceof Number;
    boolean integral = number && Numbers.isIntegral(arg) && !Numbers.isSpecial((Number) arg);
    switch (verb) {
      case 'v':
        if (number) {
          return pad(spec, sign(spec, Numbers.format((Number) arg)), true);
        }
        return pad(spec, truncate(Values.text(arg), spec.prec()), false);
      case 's':
        return pad(spec, truncate(Values.text(arg), spec.prec()), false);
      case 'd':
        if (integral) {
          return pad(spec, sign(spec, bigInteger((Number) arg).toString()), true);
        }
        break;
      case 'x':
      case 'X':
      case 'o':
      case 'b':
        if (integral) {
          return pad(spec, radix(spec, verb, bigInteger((Number) arg)), true);
        }
        if (arg instanceof CharSequence && (verb == 'x' || verb == 'X')) {
          StringBuilder hex = new StringBuilder();
          for (byte b : arg.toString().getBytes(StandardCharsets.UTF_8)) {
            hex.append(String.format(Locale.ROOT, verb == 'x' ? "%02x" : "%02X", b & 0xff));
          }
          return pad(spec, hex.toString(), false);
        }
        break;
      case 'c':
        if (integral && validRune(bigInteger((Number) arg))) {
          return pad(spec, new String(Character.toChars(((Number) arg).intValue())), false);
        }
        break;
      case 'q':
        if (arg instanceof CharSequence) {
          return pad(spec, quote(arg.toString()), false);
        }
        if (integral && validRune(bigInteger((Number) arg))) {
          return pad(spec, quoteRune(((Number) arg).intValue()), false);
        }
        break;
      case 't':
        if (arg instanceof Boolean) {
          return pad(spec, arg.toString(), false);
        }
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G':
        if (number) {
          return pad(spec, sign(spec, floating((Number) arg, verb, spec.prec())), true);
        }
        break;
      default:
        break;
    }
    String verbText = new String(Character.toChars(verb));
    return "%!"
        + verbText
        + "("
        + (arg == null ? "<nil>" : Values.typeName(arg) + "=" + Values.goString(arg))
        + ")";
  }

  private static boolean validRune(BigInteger v) {
    return v.signum() >= 0
        && v.compareTo(BigInteger.valueOf(Character.MAX_CODE_POINT)) <= 0
        && !(v.intValue() >= 0xD800 && v.intValue() <= 0xDFFF);
  }

  private static BigInteger bigInteger(Number n) {
    return Numbers.toBigDecimal(n).toBigInteger();
  }

  private static String truncate(String s, int prec) {
    if (prec < 0 || s.codePointCount(0, s.length()) <= prec) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, prec));
  }

  private static String sign(Spec spec, String digits) {
    if (digits.startsWith("-")) {
      return digits;
    }
    return (spec.plus() ? "+" : spec.space() ? " " : "") + digits;
  }

  private static String radix(Spec spec, int verb, BigInteger v) {
    int base = verb == 'o' ? 8 : verb == 'b' ? 2 : 16;
    String digits = v.abs().toString(base);
    String prefix = "";
    if (spec.sharp()) {
      prefix = base == 16 ? "0x" : base == 8 ? "0" : "0b";
    }
    String s = (v.signum() < 0 ? "-" : "") + prefix + digits;
    return sign(spec, verb == 'X' ? s.toUpperCase(Locale.ROOT) : s);
  }

  private static String pad(Spec spec, String s, boolean numeric) {
    int len = s.codePointCount(0, s.length());
    if (spec.width() <= len) {
      return s;
    }
    int missing = spec.width() - len;
    if (spec.minus()) {
      return s + " ".repeat(missing);
    }
    if (spec.zero() && numeric && !s.endsWith("Inf") && !s.endsWith("NaN")) {
      int signEnd = s.startsWith("-") || s.startsWith("+") || s.startsWith(" ") ? 1 : 0;
      if (s.startsWith("0x", signEnd)
          || s.startsWith("0X", signEnd)
          || s.startsWith("0b", signEnd)) {
        signEnd += 2;
      }
      return s.substring(0, signEnd) + "0".repeat(missing) + s.substring(signEnd);
    }
    return " ".repeat(missing) + s;
  }

  /** %f, %e and %g of a number, with Go's rounding (half to even on the exact binary value). */
  private static String floating(Number n, int verb, int prec) {
    boolean upper = verb == 'E' || verb == 'G';
    if (Numbers.isSpecial(n)) {
      double d = n.doubleValue();
      return Double.isNaN(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf";
    }
    boolean negative =
        n instanceof BigDecimal || Numbers.isIntegerKind(n)
            ? Numbers.toBigDecimal(n).signum() < 0
            : (n.doubleValue() < 0 || 1 / n.doubleValue() < 0);
    BigDecimal exact = Numbers.toBigDecimal(n).abs();
    String body;
    if (verb == 'f' || verb == 'F') {
      body = exact.setScale(prec < 0 ? 6 : prec, RoundingMode.HALF_EVEN).toPlainString();
    } else if (verb == 'e' || verb == 'E') {
      int p = prec < 0 ? 6 : prec;
      if (exact.signum() == 0) {
        body = mantissa("0", p) + Numbers.exponent(0, 2);
      } else {
        BigDecimal r = exact.round(new MathContext(p + 1, RoundingMode.HALF_EVEN));
        int exp = r.precision() - r.scale() - 1;
        body = mantissa(r.unscaledValue().toString(), p) + Numbers.exponent(exp, 2);
      }
    } else {
      body = general(n, exact, prec);
    }
    body = upper ? body.toUpperCase(Locale.ROOT) : body;
    return negative ? "-" + body : body;
  }

  private static String mantissa(String digits, int prec) {
    String d = digits.length() > prec + 1 ? digits.substring(0, prec + 1) : digits;
    d = d + "0".repeat(prec + 1 - d.length());
    return prec == 0 ? d.substring(0, 1) : d.charAt(0) + "." + d.substring(1);
  }

  private static String general(Number n, BigDecimal exact, int prec) {
    if (exact.signum() == 0) {
      return "0";
    }
    BigDecimal digits;
    if (prec < 0) {
      digits =
          Numbers.isFloatKind(n) && !(n instanceof BigDecimal) ? Numbers.shortest(n).abs() : exact;
    } else {
      digits = exact.round(new MathContext(Math.max(prec, 1), RoundingMode.HALF_EVEN));
    }
    digits = digits.stripTrailingZeros();
    int nd = digits.precision();
    int exp = nd - digits.scale() - 1;
    int eprec = prec < 0 ? 6 : Math.max(prec, 1);
    if (prec >= 0 && eprec > nd && nd >= exp + 1) {
      eprec = nd;
    }
    if (exp < -4 || exp >= eprec) {
      return mantissa(digits.unscaledValue().toString(), nd - 1) + Numbers.exponent(exp, 2);
    }
    return digits.toPlainString();
  }

  /** Go's strconv.Quote. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    s.codePoints().forEach(cp -> appendEscaped(sb, cp, '"'));
    return sb.append('"').toString();
  }

  /** Go's strconv.QuoteRune. */
  static String quoteRune(int cp) {
    StringBuilder sb = new StringBuilder("'");
    appendEscaped(sb, cp, '\'');
    return sb.append('\'').toString();
  }

  private static void appendEscaped(StringBuilder sb, int cp, char quote) {
    if (cp == quote || cp == '\\') {
      sb.append('\\').appendCodePoint(cp);
    } else if (isPrint(cp)) {
      sb.appendCodePoint(cp);
    } else {
      switch (cp) {
        case 7 -> sb.append("\\a");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case 11 -> sb.append("\\v");
        default -> {
          if (cp < ' ' || cp == 0x7f) {
            sb.append(String.format(Locale.ROOT, "\\x%02x", cp));
          } else if (cp >= 0xD800 && cp <= 0xDFFF) {
            sb.append("\\ufffd");
          } else if (cp < 0x10000) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", cp));
          } else {
            sb.append(String.format(Locale.ROOT, "\\U%08x", cp));
          }
        }
      }
    }
  }

  /** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
  static boolean isPrint(int cp) {
    if (cp == ' ') {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.SURROGATE:
      case Character.PRIVATE_USE:
      case Character.UNASSIGNED:
      case Character.SPACE_SEPARATOR:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        return false;
      default:
        return true;
    }
  }
}
