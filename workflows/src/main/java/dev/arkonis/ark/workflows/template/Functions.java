package dev.arkonis.ark.workflows.template;

import dev.arkonis.ark.workflows.template.Values.Failure;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The built-in functions: Go's text/template builtins plus the Sprig functions ark supports. */
final class Functions {
  /** A function body; receives evaluated arguments, the piped value last. */
  @FunctionalInterface
  interface Body {
    Object apply(List<Object> args);
  }

  /** A function's arity ({@code max < 0}: variadic) and body. */
  record Spec(int min, int max, Body body) {}

  private static final Pattern FLOAT =
      Pattern.compile("[+-]?(?:(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|(?i:inf|infinity|nan))");

  private static final Map<String, Spec> SPECS =
      Map.ofEntries(
          Map.entry("and", new Spec(1, -1, a -> a.get(a.size() - 1))),
          Map.entry("or", new Spec(1, -1, a -> a.get(a.size() - 1))),
          Map.entry("not", new Spec(1, 1, a -> !Values.truth(a.get(0)))),
          Map.entry("eq", new Spec(2, -1, Functions::eq)),
          Map.entry("ne", new Spec(2, 2, a -> !Values.equal(a.get(0), a.get(1)))),
          Map.entry("lt", new Spec(2, 2, a -> Values.compare(a.get(0), a.get(1)) < 0)),
          Map.entry("le", new Spec(2, 2, a -> Values.compare(a.get(0), a.get(1)) <= 0)),
          Map.entry("gt", new Spec(2, 2, a -> Values.compare(a.get(0), a.get(1)) > 0)),
          Map.entry("ge", new Spec(2, 2, a -> Values.compare(a.get(0), a.get(1)) >= 0)),
          Map.entry("len", new Spec(1, 1, a -> len(a.get(0)))),
          Map.entry("index", new Spec(1, -1, Functions::index)),
          Map.entry("print", new Spec(0, -1, GoFormat::sprint)),
          Map.entry("println", new Spec(0, -1, GoFormat::sprintln)),
          Map.entry(
              "printf",
              new Spec(
                  1, -1, a -> GoFormat.sprintf(Values.text(a.get(0)), a.subList(1, a.size())))),
          Map.entry("default", new Spec(1, -1, Functions::dfault)),
          Map.entry("empty", new Spec(1, 1, a -> !Values.truth(a.get(0)))),
          Map.entry("coalesce", new Spec(0, -1, Functions::coalesce)),
          Map.entry("toJson", new Spec(1, 1, a -> Json.write(a.get(0), false))),
          Map.entry("toPrettyJson", new Spec(1, 1, a -> Json.write(a.get(0), true))),
          Map.entry("fromJson", new Spec(1, 1, a -> Json.read(Values.text(a.get(0))))),
          Map.entry("int", new Spec(1, 1, a -> toInt(a.get(0)))),
          Map.entry("float64", new Spec(1, 1, a -> toFloat(a.get(0)))),
          Map.entry("toString", new Spec(1, 1, a -> Values.text(a.get(0)))),
          Map.entry("upper", new Spec(1, 1, a -> mapCase(str(a, 0), true))),
          Map.entry("lower", new Spec(1, 1, a -> mapCase(str(a, 0), false))),
          Map.entry("trim", new Spec(1, 1, a -> trimSpace(str(a, 0)))),
          Map.entry("contains", new Spec(2, 2, a -> str(a, 1).contains(str(a, 0)))),
          Map.entry("hasPrefix", new Spec(2, 2, a -> str(a, 1).startsWith(str(a, 0)))),
          Map.entry("hasSuffix", new Spec(2, 2, a -> str(a, 1).endsWith(str(a, 0)))),
          Map.entry("join", new Spec(2, 2, a -> join(str(a, 0), a.get(1)))),
          Map.entry("quote", new Spec(0, -1, Functions::quote)),
          Map.entry("indent", new Spec(2, 2, a -> indent(intArg(a.get(0)), str(a, 1)))),
          Map.entry("nindent", new Spec(2, 2, a -> "\n" + indent(intArg(a.get(0)), str(a, 1)))),
          Map.entry("replace", new Spec(3, 3, a -> replace(str(a, 2), str(a, 0), str(a, 1)))),
          Map.entry("trunc", new Spec(2, 2, a -> trunc(intArg(a.get(0)), str(a, 1)))));

  private Functions() {}

  static boolean exists(String name) {
    return SPECS.containsKey(name);
  }

  /** Rejects a call with the wrong number of arguments, at parse time. */
  static void checkArity(Ast.Function f, int given) {
    Spec spec = SPECS.get(f.name());
    if (spec.max() < 0 && given < spec.min()) {
      throw new TemplateException(
          f.pos(),
          "wrong number of args for "
              + f.name()
              + ": want at least "
              + spec.min()
              + " got "
              + given);
    }
    if (spec.max() >= 0 && (given < spec.min() || given > spec.max())) {
      throw new TemplateException(
          f.pos(),
          "wrong number of args for " + f.name() + ": want " + spec.min() + " got " + given);
    }
  }

  /** Largest string a function may return: the template's whole output limit. */
  static final long MAX_RESULT_CHARS = Evaluator.MAX_OUTPUT_CHARS;

  static Object call(String name, List<Object> args) {
    Object result = SPECS.get(name).body().apply(args);
    if (result instanceof String text) {
      checkSize(text.length());
    }
    return result;
  }

  /** Refuses a result over {@link #MAX_RESULT_CHARS}, before a caller builds it. */
  private static void checkSize(long chars) {
    if (chars > MAX_RESULT_CHARS) {
      throw new Failure(
          "result of "
              + chars
              + " characters exceeds the limit of "
              + MAX_RESULT_CHARS
              + "; shorten the value or the template");
    }
  }

  private static long count(String s, String part) {
    long n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + part.length())) {
      n++;
    }
    return n;
  }

  private static String str(List<Object> args, int i) {
    return Values.text(args.get(i));
  }

  private static long intArg(Object v) {
    Long l = v instanceof Number n ? Numbers.toLongExact(n) : null;
    if (l == null) {
      throw new Failure("wrong type for value; expected int; got " + Values.typeName(v));
    }
    return l;
  }

  private static Object eq(List<Object> args) {
    for (Object other : args.subList(1, args.size())) {
      if (Values.equal(args.get(0), other)) {
        return true;
      }
    }
    return false;
  }

  private static Object len(Object v) {
    return switch (Values.kind(v)) {
      case NIL -> 0L;
      case STRING -> (long) utf8Length(v.toString());
      case LIST -> (long) ((Collection<?>) v).size();
      case MAP -> (long) ((Map<?, ?>) v).size();
      default -> throw new Failure("len of type " + Values.typeName(v));
    };
  }

  private static Object index(List<Object> args) {
    Object item = args.get(0);
    for (Object key : args.subList(1, args.size())) {
      switch (Values.kind(item)) {
        case NIL:
          return null;
        case MAP:
          if (!(key instanceof CharSequence)) {
            throw new Failure("value has type " + Values.typeName(key) + "; should be string");
          }
          item = ((Map<?, ?>) item).get(key.toString());
          break;
        case LIST:
          {
            List<?> list = item instanceof List<?> l ? l : new ArrayList<>((Collection<?>) item);
            item = list.get(position(key, list.size()));
            break;
          }
        case STRING:
          {
            byte[] bytes = item.toString().getBytes(StandardCharsets.UTF_8);
            item = (long) (bytes[position(key, bytes.length)] & 0xff);
            break;
          }
        default:
          throw new Failure("can't index item of type " + Values.typeName(item));
      }
    }
    return item;
  }

  private static int position(Object key, int size) {
    Long i = key instanceof Number n ? Numbers.toLongExact(n) : null;
    if (i == null) {
      throw new Failure("cannot index slice/array with type " + Values.typeName(key));
    }
    if (i < 0 || i >= size) {
      throw new Failure("index out of range: " + i);
    }
    return i.intValue();
  }

  private static Object dfault(List<Object> args) {
    return args.size() > 1 && Values.truth(args.get(1)) ? args.get(1) : args.get(0);
  }

  private static Object coalesce(List<Object> args) {
    for (Object v : args) {
      if (Values.truth(v)) {
        return v;
      }
    }
    return null;
  }

  /** Sprig's int: numbers truncate, strings parse as Go integers ("12.00" too), otherwise 0. */
  static long toInt(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    if (v instanceof Number n) {
      if (Numbers.isIntegerKind(n) || n instanceof BigDecimal) {
        return n.longValue();
      }
      return (long) n.doubleValue();
    }
    if (v instanceof CharSequence cs) {
      Long parsed = Numbers.parseInteger(trimZeroDecimal(cs.toString()));
      return parsed == null ? 0 : parsed;
    }
    return 0;
  }

  private static String trimZeroDecimal(String s) {
    boolean foundZero = false;
    for (int i = s.length(); i > 0; i--) {
      char c = s.charAt(i - 1);
      if (c == '.') {
        return foundZero ? s.substring(0, i - 1) : s;
      } else if (c == '0') {
        foundZero = true;
      } else {
        return s;
      }
    }
    return s;
  }

  /** Sprig's float64: numbers convert, strings parse as Go floats, otherwise 0. */
  static double toFloat(Object v) {
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof CharSequence cs && FLOAT.matcher(cs).matches()) {
      String s = cs.toString().toLowerCase(Locale.ROOT).replace("infinity", "inf");
      return s.endsWith("nan")
          ? Double.NaN
          : s.endsWith("inf")
              ? (s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
              : Double.parseDouble(s);
    }
    return 0;
  }

  /** Go's strings.ToUpper/ToLower: simple per-character case mapping ("ß" stays "ß"). */
  private static String mapCase(String s, boolean upper) {
    StringBuilder sb = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            cp ->
                sb.appendCodePoint(upper ? Character.toUpperCase(cp) : Character.toLowerCase(cp)));
    return sb.toString();
  }

  /** Go's strings.TrimSpace. */
  static String trimSpace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isGoSpace(s.codePointAt(start))) {
      start += Character.charCount(s.codePointAt(start));
    }
    while (end > start && isGoSpace(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(start, end);
  }

  private static boolean isGoSpace(int cp) {
    if (cp <= 0xFF) {
      return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 || cp == 0xA0;
    }
    int type = Character.getType(cp);
    return type == Character.SPACE_SEPARATOR
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static String join(String sep, Object list) {
    if (list == null) {
      return "";
    }
    if (!(list instanceof Collection<?> items)) {
      return Values.text(list);
    }
    List<String> parts = new ArrayList<>();
    for (Object item : items) {
      if (item != null) {
        parts.add(Values.text(item));
      }
    }
    return String.join(sep, parts);
  }

  private static Object quote(List<Object> args) {
    List<String> parts = new ArrayList<>();
    for (Object v : args) {
      if (v != null) {
        parts.add(GoFormat.quote(Values.text(v)));
      }
    }
    return String.join(" ", parts);
  }

  private static String indent(long spaces, String s) {
    if (spaces < 0) {
      throw new Failure("negative indent " + spaces);
    }
    String pad = " ".repeat((int) Math.min(spaces, 10_000));
    checkSize(s.length() + (count(s, "\n") + 1) * pad.length());
    return pad + s.replace("\n", "\n" + pad);
  }

  private static String replace(String s, String old, String replacement) {
    if (!old.isEmpty()) {
      checkSize(s.length() + count(s, old) * Math.max(0, replacement.length() - old.length()));
      return s.replace(old, replacement);
    }
    checkSize(s.length() + (s.length() + 1L) * replacement.length());
    StringBuilder sb = new StringBuilder(replacement);
    s.codePoints().forEach(cp -> sb.appendCodePoint(cp).append(replacement));
    return sb.toString();
  }

  /** Sprig's trunc, counting UTF-8 bytes like Go but never splitting a character. */
  private static String trunc(long c, String s) {
    int total = utf8Length(s);
    if (c >= 0 && total > c) {
      int bytes = 0;
      int i = 0;
      while (i < s.length()) {
        int cp = s.codePointAt(i);
        if (bytes + utf8Length(cp) > c) {
          break;
        }
        bytes += utf8Length(cp);
        i += Character.charCount(cp);
      }
      return s.substring(0, i);
    }
    if (c < 0 && total + c > 0) {
      int bytes = 0;
      int i = s.length();
      while (i > 0) {
        int cp = s.codePointBefore(i);
        if (bytes + utf8Length(cp) > -c) {
          break;
        }
        bytes += utf8Length(cp);
        i -= Character.charCount(cp);
      }
      return s.substring(i);
    }
    return s;
  }

  static int utf8Length(String s) {
    return s.codePoints().map(Functions::utf8Length).sum();
  }

  private static int utf8Length(int cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
}
