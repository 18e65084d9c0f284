package dev.arkonis.ark.workflows.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.function.Supplier;

/** Number parsing, formatting and comparison shared by the evaluator and the functions. */
final class Numbers {
  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private Numbers() {}

  /** True for the integer kinds (Integer, Long, Short, Byte, BigInteger): Go's int. */
  static boolean isIntegerKind(Object v) {
    return v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof Byte
        || v instanceof BigInteger;
  }

  /** True for Float, Double and BigDecimal: Go's float64. */
  static boolean isFloatKind(Object v) {
    return v instanceof Number && !isIntegerKind(v);
  }

  /** True if the value is a number with no fractional part. */
  static boolean isIntegral(Object v) {
    if (isIntegerKind(v)) {
      return true;
    }
    if (v instanceof BigDecimal bd) {
      return bd.signum() == 0 || bd.stripTrailingZeros().scale() <= 0;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return !Double.isInfinite(d) && d == Math.rint(d);
    }
    return false;
  }

  /** The value of an integral number as a long, or null if it has a fraction or is too large. */
  static Long toLongExact(Number n) {
    if (!isIntegral(n)) {
      return null;
    }
    BigInteger bi = toBigDecimal(n).toBigInteger();
    return bi.compareTo(LONG_MIN) >= 0 && bi.compareTo(LONG_MAX) <= 0 ? bi.longValue() : null;
  }

  static BigDecimal toBigDecimal(Number n) {
    if (n instanceof BigDecimal bd) {
      return bd;
    } else if (n instanceof BigInteger bi) {
      return new BigDecimal(bi);
    } else if (isIntegerKind(n)) {
      return BigDecimal.valueOf(n.longValue());
    } else {
      return new BigDecimal(n.doubleValue());
    }
  }

  static boolean isSpecial(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      return Double.isNaN(d) || Double.isInfinite(d);
    }
    return false;
  }

  /** Compares two numbers by value, whatever their Java types. */
  static int compare(Number a, Number b) {
    if (isSpecial(a) || isSpecial(b)) {
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    if (isIntegerKind(a)
        && isIntegerKind(b)
        && !(a instanceof BigInteger || b instanceof BigInteger)) {
      return Long.compare(a.longValue(), b.longValue());
    }
    return toBigDecimal(a).compareTo(toBigDecimal(b));
  }

  /**
   * Parses a Go number literal as lexed ({@code 42}, {@code -1}, {@code 0x1F}, {@code 0o17}, {@code
   * 0b101}, {@code 017}, {@code 1_000}, {@code 1.5}, {@code .5}, {@code 1e3}, {@code 0x1p-2}): Long
   * for integers, Double for floats.
   */
  static Object parseLiteral(String text, Supplier<TemplateException> bad) {
    String body = text.replace("_", "");
    boolean negative = false;
    if (body.startsWith("+") || body.startsWith("-")) {
      negative = body.startsWith("-");
      body = body.substring(1);
    }
    if (body.isEmpty()) {
      throw bad.get();
    }
    boolean hex = body.startsWith("0x") || body.startsWith("0X");
    boolean isFloat =
        hex
            ? body.indexOf('p') >= 0 || body.indexOf('P') >= 0 || body.indexOf('.') >= 0
            : body.indexOf('.') >= 0 || body.indexOf('e') >= 0 || body.indexOf('E') >= 0;
    if (isFloat) {
      if (hex && body.indexOf('p') < 0 && body.indexOf('P') < 0) {
        throw bad.get();
      }
      try {
        double d = Double.parseDouble(body);
        return negative ? -d : d;
      } catch (NumberFormatException e) {
        throw bad.get();
      }
    }
    Long value = parseInteger((negative ? "-" : "") + body);
    if (value == null) {
      throw bad.get();
    }
    return value;
  }

  /**
   * Parses an integer like Go's {@code strconv.ParseInt(s, 0, 64)}: optional sign, then decimal,
   * {@code 0x} hex, {@code 0o}/leading-zero octal or {@code 0b} binary. Null if invalid.
   */
  static Long parseInteger(String s) {
    String body = s;
    String sign = "";
    if (body.startsWith("+") || body.startsWith("-")) {
      sign = body.startsWith("-") ? "-" : "";
      body = body.substring(1);
    }
    int radix = 10;
    String lower = body.toLowerCase(Locale.ROOT);
    if (lower.startsWith("0x")) {
      radix = 16;
      body = body.substring(2);
    } else if (lower.startsWith("0o")) {
      radix = 8;
      body = body.substring(2);
    } else if (lower.startsWith("0b")) {
      radix = 2;
      body = body.substring(2);
    } else if (body.length() > 1 && body.startsWith("0")) {
      radix = 8;
      body = body.substring(1);
    }
    body = body.replace("_", "");
    if (body.isEmpty()) {
      return null;
    }
    for (int i = 0; i < body.length(); i++) {
      if (Character.digit(body.charAt(i), radix) < 0 || body.charAt(i) > 'z') {
        return null;
      }
    }
    BigInteger v = new BigInteger(sign + body, radix);
    return v.bitLength() <= 63 ? v.longValue() : null;
  }

  /** Shortest decimal that round-trips to the double (zero, NaN and infinities excluded). */
  static BigDecimal shortest(Number n) {
    String digits = n instanceof Float f ? Float.toString(f) : Double.toString(n.doubleValue());
    return new BigDecimal(digits);
  }

  /**
   * Go's %v of a number, except that floats use exponent notation only below 1e-4 or from 1e21 on
   * (Go switches at 1e6 for %v, printing 1000000.0 as "1e+06").
   */
  static String format(Number n) {
    if (isIntegerKind(n)) {
      return n.toString();
    }
    if (!(n instanceof BigDecimal)) {
      double d = n.doubleValue();
      if (Double.isNaN(d)) {
        return "NaN";
      } else if (Double.isInfinite(d)) {
        return d > 0 ? "+Inf" : "-Inf";
      } else if (d == 0) {
        return 1 / d < 0 ? "-0" : "0";
      }
    }
    BigDecimal bd = n instanceof BigDecimal b ? b : shortest(n);
    return formatDecimal(bd, -4, 21, false);
  }

  /**
   * Formats a decimal in plain notation when {@code minExp <= exponent < maxExp}, else as Go's
   * shortest %e ({@code 1.5e+21}, {@code 1e-05}; {@code shortExponent} drops the exponent's leading
   * zero as encoding/json does).
   */
  static String formatDecimal(BigDecimal value, int minExp, int maxExp, boolean shortExponent) {
    if (value.signum() == 0) {
      return "0";
    }
    BigDecimal bd = value.stripTrailingZeros();
    int exp = bd.precision() - bd.scale() - 1;
    if (exp >= minExp && exp < maxExp) {
      return bd.toPlainString();
    }
    String digits = bd.unscaledValue().abs().toString();
    StringBuilder sb = new StringBuilder();
    if (bd.signum() < 0) {
      sb.append('-');
    }
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    return sb.append(exponent(exp, shortExponent ? 1 : 2)).toString();
  }

  /** Go's exponent suffix, e.g. {@code e+06}, {@code e-10}. */
  static String exponent(int exp, int minDigits) {
    String abs = Integer.toString(Math.abs(exp));
    return "e" + (exp < 0 ? "-" : "+") + "0".repeat(Math.max(0, minDigits - abs.length())) + abs;
  }

  /** A number as encoding/json writes it; null for NaN and infinities (unsupported). */
  static String json(Number n) {
    if (isIntegerKind(n)) {
      return n.toString();
    }
    if (!(n instanceof BigDecimal)) {
      double d = n.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return null;
      }
      if (d == 0) {
        return 1 / d < 0 ? "-0" : "0";
      }
    }
    BigDecimal bd = n instanceof BigDecimal b ? b : shortest(n);
    return formatDecimal(bd, -6, 21, true);
  }
}
